"""The OpenBLAS shim the Linux bundle gives OpenCV (packaging/blas_shim): built from the real
wheels, OpenCV's linear algebra through it matches NumPy, and every forwarded LAPACK routine
gives LAPACK's answer (pivots, info and all) when called the way OpenCV calls it."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.packaging.test_packaging_files import filters

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundle only")


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import cv2

    site = Path(cv2.__file__).resolve().parents[1]
    root = tmp_path_factory.mktemp("bundle")
    (root / "numpy.libs").symlink_to(site / "numpy.libs")  # the bundle's layout
    toc = [
        (f"{folder}/{p.name}", str(p), "BINARY")
        for folder in ("opencv_python_headless.libs", "numpy.libs")
        for p in sorted((site / folder).iterdir())
    ]
    toc.append(("cv2/cv2.abi3.so", str(site / "cv2" / "cv2.abi3.so"), "EXTENSION"))
    kept, note = filters.share_openblas(toc, root / "opencv_python_headless.libs")
    if note.startswith("kept OpenCV's OpenBLAS: no separate"):
        pytest.skip(note)
    assert "is a shim to libscipy_openblas64_" in note, note
    assert int(note.split("(")[1].split()[0]) >= 19  # 4 gemm + 15 LAPACK routines
    [entry] = [e for e in kept if e[0].startswith("opencv_python_headless.libs/libopenblas")]
    path = Path(entry[1])
    assert path.parent == root / "opencv_python_headless.libs" and path.stat().st_size < 100_000
    return path


OPENCV_CHECK = r"""
import numpy as np, cv2
rng = np.random.default_rng(0)
for dt, tol in ((np.float32, 1e-3), (np.float64, 1e-9)):
    a = rng.standard_normal((40, 40)).astype(dt); b = rng.standard_normal((40, 3)).astype(dt)
    for flag in (cv2.DECOMP_LU, cv2.DECOMP_SVD, cv2.DECOMP_QR, cv2.DECOMP_CHOLESKY):
        m = a @ a.T + 40 * np.eye(40, dtype=dt) if flag == cv2.DECOMP_CHOLESKY else a
        ok, x = cv2.solve(m, b, flags=flag)
        assert ok and np.allclose(m @ x, b, atol=tol * 100), (dt, flag)
    w, u, vt = cv2.SVDecomp(a)
    ref = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    assert np.allclose(w.ravel(), ref, atol=tol * 100)
    assert np.allclose((u * w.ravel()) @ vt, a, atol=tol * 100)
    big = rng.standard_normal((300, 200)).astype(dt)
    assert np.allclose(cv2.gemm(big, big.T, 1.0, None, 0.0), big @ big.T, atol=tol * 1000)
maps = open("/proc/self/maps").read()
assert "SHIM_DIR/libopenblas" in maps and "WHEEL_DIR/libopenblas" not in maps
print("ok")
"""


def test_opencv_linear_algebra_through_the_shim_matches_numpy(shim: Path) -> None:
    import cv2

    wheel = Path(cv2.__file__).resolve().parents[1] / "opencv_python_headless.libs"
    code = OPENCV_CHECK.replace("SHIM_DIR", str(shim.parent)).replace("WHEEL_DIR", str(wheel))
    env = dict(os.environ, LD_PRELOAD=str(shim))  # takes the soname cv2.abi3.so asks for
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout + r.stderr


def _i(v: int) -> ctypes._CArgObject:
    return ctypes.byref(ctypes.c_int(v))


def _p(a: np.ndarray) -> ctypes.c_void_p:
    return a.ctypes.data_as(ctypes.c_void_p)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_every_lapack_routine_answers_like_lapack(shim: Path, dt: type) -> None:
    lib = ctypes.CDLL(str(shim))
    p = "s" if dt is np.float32 else "d"
    tol = 1e-3 if dt is np.float32 else 1e-10
    rng = np.random.default_rng(7)
    n, nrhs = 6, 2
    a0 = np.asfortranarray(rng.standard_normal((n, n)).astype(dt))
    b0 = np.asfortranarray(rng.standard_normal((n, nrhs)).astype(dt))
    spd = np.asfortranarray((a0 @ a0.T + n * np.eye(n)).astype(dt))
    info = ctypes.c_int(99)

    # gesv: solution, and pivots narrowed back to OpenCV's 32-bit ints
    a, b, piv = a0.copy(order="F"), b0.copy(order="F"), np.zeros(n, np.int32)
    getattr(lib, f"{p}gesv_")(
        _i(n), _i(nrhs), _p(a), _i(n), _p(piv), _p(b), _i(n), ctypes.byref(info)
    )
    assert info.value == 0 and np.allclose(a0 @ b, b0, atol=tol * 10)
    assert piv.min() >= 1 and piv.max() <= n
    # getrf: P L U = A with those pivots
    a, piv2 = a0.copy(order="F"), np.zeros(n, np.int32)
    getattr(lib, f"{p}getrf_")(_i(n), _i(n), _p(a), _i(n), _p(piv2), ctypes.byref(info))
    assert info.value == 0 and (piv2 == piv).all()
    lower, upper = np.tril(a, -1) + np.eye(n), np.triu(a)
    lu = lower @ upper
    for i in reversed(range(n)):  # undo the row swaps
        lu[[i, piv2[i] - 1]] = lu[[piv2[i] - 1, i]]
    assert np.allclose(lu, a0, atol=tol * 10)
    # a singular matrix: info > 0 comes back
    sing = np.asfortranarray(np.zeros((n, n), dt))
    getattr(lib, f"{p}getrf_")(_i(n), _i(n), _p(sing), _i(n), _p(piv2), ctypes.byref(info))
    assert info.value > 0
    # potrf / posv with uplo "L"
    a = spd.copy(order="F")
    getattr(lib, f"{p}potrf_")(b"L", _i(n), _p(a), _i(n), ctypes.byref(info))
    assert info.value == 0 and np.allclose(
        np.tril(a), np.linalg.cholesky(spd.astype(np.float64)), atol=tol * 10
    )
    a, b = spd.copy(order="F"), b0.copy(order="F")
    getattr(lib, f"{p}posv_")(b"L", _i(n), _i(nrhs), _p(a), _i(n), _p(b), _i(n), ctypes.byref(info))
    assert info.value == 0 and np.allclose(spd @ b, b0, atol=tol * 10)
    # geqrf: R's diagonal matches NumPy's up to sign
    a, tau = a0.copy(order="F"), np.zeros(n, dt)
    work = np.zeros(64 * n, dt)
    getattr(lib, f"{p}geqrf_")(
        _i(n), _i(n), _p(a), _i(n), _p(tau), _p(work), _i(len(work)), ctypes.byref(info)
    )
    r = np.linalg.qr(a0.astype(np.float64), mode="r")
    assert info.value == 0 and np.allclose(np.abs(np.diag(a)), np.abs(np.diag(r)), atol=tol * 10)
    # gels: least squares on a tall system, "N"
    m = 10
    tall = np.asfortranarray(rng.standard_normal((m, n)).astype(dt))
    rhs = np.asfortranarray(rng.standard_normal((m, 1)).astype(dt))
    a, b = tall.copy(order="F"), rhs.copy(order="F")
    getattr(lib, f"{p}gels_")(
        b"N",
        _i(m),
        _i(n),
        _i(1),
        _p(a),
        _i(m),
        _p(b),
        _i(m),
        _p(work),
        _i(len(work)),
        ctypes.byref(info),
    )
    ref = np.linalg.lstsq(tall.astype(np.float64), rhs.astype(np.float64), rcond=None)[0]
    assert info.value == 0 and np.allclose(b[:n], ref, atol=tol * 10)
    # gesdd "A", with the workspace query OpenCV makes first (lwork = -1)
    a, s = a0.copy(order="F"), np.zeros(n, dt)
    u, vt = np.zeros((n, n), dt, order="F"), np.zeros((n, n), dt, order="F")
    iwork, query = np.zeros(8 * n, np.int32), np.zeros(1, dt)
    args = (_p(s), _p(u), _i(n), _p(vt), _i(n))
    getattr(lib, f"{p}gesdd_")(
        b"A", _i(n), _i(n), _p(a), _i(n), *args, _p(query), _i(-1), _p(iwork), ctypes.byref(info)
    )
    assert info.value == 0 and query[0] >= n
    work = np.zeros(int(query[0]), dt)
    getattr(lib, f"{p}gesdd_")(
        b"A",
        _i(n),
        _i(n),
        _p(a),
        _i(n),
        *args,
        _p(work),
        _i(len(work)),
        _p(iwork),
        ctypes.byref(info),
    )
    assert info.value == 0
    assert np.allclose(s, np.linalg.svd(a0.astype(np.float64), compute_uv=False), atol=tol * 10)
    assert np.allclose((u * s) @ vt, a0, atol=tol * 10)
    if p == "d":  # OpenCV imports dgeev_ only
        a = a0.copy(order="F")
        wr, wi = np.zeros(n), np.zeros(n)
        vr = np.zeros((n, n), order="F")
        work = np.zeros(16 * n)
        lib.dgeev_(
            b"N",
            b"V",
            _i(n),
            _p(a),
            _i(n),
            _p(wr),
            _p(wi),
            None,
            _i(1),
            _p(vr),
            _i(n),
            _p(work),
            _i(len(work)),
            ctypes.byref(info),
        )
        got = np.sort_complex(wr + 1j * wi)
        assert info.value == 0 and np.allclose(
            got, np.sort_complex(np.linalg.eigvals(a0)), atol=1e-8
        )
