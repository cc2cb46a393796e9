"""Opens gsinv's .xmf sidecars with ParaView's own XDMF readers and compares them with the HDF5 file.

Run under pvbatch: xvfb-run -a pvbatch check_sidecars.py DIR FILE.xmf ...
Both readers (XDMFReader, the XDMF v2 reader, and Xdmf3ReaderS, ParaView's default for .xmf)
must give every field in the XY plane (z = 0) at the file's spacing, the time steps step x dt of
a snapshot series, and arrays equal to h5py's values bit for bit.
"""
import os
import sys

import h5py
import numpy as np
from paraview import servermanager
from paraview.simple import ForceTime, XDMFReader, Xdmf3ReaderS
from vtk.util.numpy_support import vtk_to_numpy

READERS = {"XDMFReader": lambda path: XDMFReader(FileNames=[path]),
           "Xdmf3ReaderS": lambda path: Xdmf3ReaderS(FileName=[path])}


def expected(h5_path):
    """(times or None, [(tile, {field: [ny][nx] array}), ...] per time step, spacing) from the HDF5 file."""
    with h5py.File(h5_path, "r") as f:
        kind = f.attrs["subcommand"]
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
        dt, h = float(f.attrs["dt"]), float(f.attrs["h"])
        if kind == "simulate" and "snapshots" in f:
            steps = list(f["snapshots/step"][...])
            frames = [{"u": f["snapshots/u"][t], "v": f["snapshots/v"][t]} for t in range(len(steps))]
            if steps[-1] != int(f.attrs["steps"]):
                steps.append(int(f.attrs["steps"]))
                frames.append({"u": f["state/u"][...], "v": f["state/v"][...]})
            return [s * dt for s in steps], [[fr] for fr in frames], h
        if kind == "simulate":
            return None, [[{"u": f["state/u"][...], "v": f["state/v"][...]}]], h
        if kind == "targets":
            return None, [[{"u": u, "v": v} for u, v in zip(f["targets/u"][...], f["targets/v"][...])]], h
        if kind == "landscape":
            g = f["landscape/gallery"]
            return None, [[{"v": v} for v in g[...].reshape(-1, g.shape[-2], g.shape[-1])]], 1.0
    raise SystemExit(f"{h5_path}: no fields of a known kind ({kind})")


def leaves(data):
    """The datasets of a (possibly nested) multiblock or multipiece data set, in order."""
    if not data.IsA("vtkCompositeDataSet"):
        return [data]
    out, it = [], data.NewIterator()
    it.InitTraversal()
    while not it.IsDoneWithTraversal():
        out.append(it.GetCurrentDataObject())
        it.GoToNextItem()
    return out


def check_tile(where, grid, fields, h):
    ny, nx = next(iter(fields.values())).shape
    b = grid.GetBounds()
    assert b[4] == 0 and b[5] == 0, f"{where}: not in the XY plane (z bounds {b[4]}, {b[5]})"
    assert np.isclose(b[1] - b[0], (nx - 1) * h) and np.isclose(b[3] - b[2], (ny - 1) * h), f"{where}: bounds {b}"
    for name, values in fields.items():
        array = grid.GetPointData().GetArray(name)
        assert array is not None, f"{where}: no array {name}"
        assert np.array_equal(vtk_to_numpy(array), values.ravel()), f"{where}: {name} differs from the HDF5 file"


def check(path, reader_name):
    times, frames, h = expected(os.path.splitext(path)[0] + ".h5")
    reader = READERS[reader_name](path)
    reader.UpdatePipelineInformation()
    got_times = list(reader.TimestepValues) if times else []
    assert got_times == (times or []), f"{path} {reader_name}: time steps {got_times}, expected {times}"
    origins = set()
    for t, tiles in enumerate(frames):
        source = ForceTime(Input=reader, ForcedTime=times[t], IgnorePipelineTime=1) if times else reader
        grids = leaves(servermanager.Fetch(source))
        assert len(grids) == len(tiles), f"{path} {reader_name}: {len(grids)} grids, expected {len(tiles)}"
        for i, (grid, fields) in enumerate(zip(grids, tiles)):
            check_tile(f"{path} {reader_name} time {t} grid {i}", grid, fields, h)
            origins.add(grid.GetBounds()[0:3:2])
    assert times or len(origins) == len(frames[0]), f"{path} {reader_name}: tiles overlap"
    print(f"{path} {reader_name}: {len(frames)} time step(s) x {len(frames[0])} grid(s) equal to the HDF5 file")


def main():
    os.chdir(sys.argv[1])
    for name in sys.argv[2:]:
        for reader_name in READERS:
            check("./" + os.path.basename(name), reader_name)


if __name__ == "__main__":
    main()
