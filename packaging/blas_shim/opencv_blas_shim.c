/* The BLAS/LAPACK functions OpenCV's Linux wheel links (cv2.abi3.so imports 4 cblas_*gemm
 * and 16 LAPACK routines from its own 38 MB OpenBLAS), forwarded to the OpenBLAS NumPy's
 * wheel already ships (libscipy_openblas64_: 64-bit integers, symbols prefixed "scipy_" and
 * suffixed "64_"). The bundle installs this library under the name OpenCV links to, so one
 * OpenBLAS serves both (packaging/bundle_filters.py: share_openblas).
 *
 * 32-bit integer arguments are widened on the way in; integer arrays the routines write
 * (pivot indices) are narrowed on the way out; integer workspaces are allocated at 64 bits.
 * Character arguments get their hidden Fortran length (1) explicitly. */

#include <stdint.h>
#include <stdlib.h>

typedef int64_t i64;

/* ---- CBLAS (enums stay int; every dimension is widened) ---------------------------- */

void scipy_cblas_sgemm64_(int, int, int, i64, i64, i64, float, const float *, i64,
                          const float *, i64, float, float *, i64);
void scipy_cblas_dgemm64_(int, int, int, i64, i64, i64, double, const double *, i64,
                          const double *, i64, double, double *, i64);
void scipy_cblas_cgemm64_(int, int, int, i64, i64, i64, const void *, const void *, i64,
                          const void *, i64, const void *, void *, i64);
void scipy_cblas_zgemm64_(int, int, int, i64, i64, i64, const void *, const void *, i64,
                          const void *, i64, const void *, void *, i64);

void cblas_sgemm(int o, int ta, int tb, int m, int n, int k, float alpha, const float *a,
                 int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    scipy_cblas_sgemm64_(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_dgemm(int o, int ta, int tb, int m, int n, int k, double alpha, const double *a,
                 int lda, const double *b, int ldb, double beta, double *c, int ldc) {
    scipy_cblas_dgemm64_(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_cgemm(int o, int ta, int tb, int m, int n, int k, const void *alpha, const void *a,
                 int lda, const void *b, int ldb, const void *beta, void *c, int ldc) {
    scipy_cblas_cgemm64_(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_zgemm(int o, int ta, int tb, int m, int n, int k, const void *alpha, const void *a,
                 int lda, const void *b, int ldb, const void *beta, void *c, int ldc) {
    scipy_cblas_zgemm64_(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/* ---- LAPACK (Fortran calling convention: everything by pointer) ---------------------- */

#define W(x) i64 x##64 = (i64)(*x)
#define BACK(x) (*x = (int)x##64)

/* Pivot indices: the routine writes n 64-bit values; OpenCV reads n ints. */
static i64 *wide_alloc(int n) { return (i64 *)malloc(sizeof(i64) * (size_t)(n > 0 ? n : 1)); }
static void narrow(int *dst, const i64 *src, int n) {
    for (int i = 0; i < n; i++) dst[i] = (int)src[i];
}

#define GEEV(P, T)                                                                          \
    void scipy_##P##geev_64_(const char *, const char *, const i64 *, T *, const i64 *, T *, \
                             T *, T *, const i64 *, T *, const i64 *, T *, const i64 *,      \
                             i64 *, size_t, size_t);                                         \
    void P##geev_(const char *jvl, const char *jvr, const int *n, T *a, const int *lda,      \
                  T *wr, T *wi, T *vl, const int *ldvl, T *vr, const int *ldvr, T *work,     \
                  const int *lwork, int *info) {                                             \
        W(n); W(lda); W(ldvl); W(ldvr); W(lwork); i64 info64 = 0;                           \
        scipy_##P##geev_64_(jvl, jvr, &n64, a, &lda64, wr, wi, vl, &ldvl64, vr, &ldvr64,    \
                            work, &lwork64, &info64, 1, 1);                                  \
        BACK(info);                                                                          \
    }

#define GELS(P, T)                                                                          \
    void scipy_##P##gels_64_(const char *, const i64 *, const i64 *, const i64 *, T *,      \
                             const i64 *, T *, const i64 *, T *, const i64 *, i64 *, size_t); \
    void P##gels_(const char *tr, const int *m, const int *n, const int *nrhs, T *a,          \
                  const int *lda, T *b, const int *ldb, T *work, const int *lwork, int *info) { \
        W(m); W(n); W(nrhs); W(lda); W(ldb); W(lwork); i64 info64 = 0;                      \
        scipy_##P##gels_64_(tr, &m64, &n64, &nrhs64, a, &lda64, b, &ldb64, work, &lwork64,  \
                            &info64, 1);                                                     \
        BACK(info);                                                                          \
    }

#define GEQRF(P, T)                                                                         \
    void scipy_##P##geqrf_64_(const i64 *, const i64 *, T *, const i64 *, T *, T *,          \
                              const i64 *, i64 *);                                           \
    void P##geqrf_(const int *m, const int *n, T *a, const int *lda, T *tau, T *work,        \
                   const int *lwork, int *info) {                                            \
        W(m); W(n); W(lda); W(lwork); i64 info64 = 0;                                       \
        scipy_##P##geqrf_64_(&m64, &n64, a, &lda64, tau, work, &lwork64, &info64);          \
        BACK(info);                                                                          \
    }

/* gesdd's integer workspace holds 8*min(m,n) entries. */
#define GESDD(P, T)                                                                         \
    void scipy_##P##gesdd_64_(const char *, const i64 *, const i64 *, T *, const i64 *, T *, \
                              T *, const i64 *, T *, const i64 *, T *, const i64 *, i64 *,   \
                              i64 *, size_t);                                                \
    void P##gesdd_(const char *jobz, const int *m, const int *n, T *a, const int *lda, T *s, \
                   T *u, const int *ldu, T *vt, const int *ldvt, T *work, const int *lwork,  \
                   int *iwork, int *info) {                                                  \
        W(m); W(n); W(lda); W(ldu); W(ldvt); W(lwork); i64 info64 = 0;                      \
        (void)iwork;                                                                         \
        i64 *iw = wide_alloc(8 * (*m < *n ? *m : *n));                                       \
        if (!iw) { *info = -1000; return; }                                                  \
        scipy_##P##gesdd_64_(jobz, &m64, &n64, a, &lda64, s, u, &ldu64, vt, &ldvt64, work,  \
                             &lwork64, iw, &info64, 1);                                      \
        free(iw);                                                                            \
        BACK(info);                                                                          \
    }

#define GESV(P, T)                                                                          \
    void scipy_##P##gesv_64_(const i64 *, const i64 *, T *, const i64 *, i64 *, T *,         \
                             const i64 *, i64 *);                                            \
    void P##gesv_(const int *n, const int *nrhs, T *a, const int *lda, int *ipiv, T *b,      \
                  const int *ldb, int *info) {                                               \
        W(n); W(nrhs); W(lda); W(ldb); i64 info64 = 0;                                      \
        i64 *piv = wide_alloc(*n);                                                           \
        if (!piv) { *info = -1000; return; }                                                 \
        scipy_##P##gesv_64_(&n64, &nrhs64, a, &lda64, piv, b, &ldb64, &info64);             \
        narrow(ipiv, piv, *n);                                                               \
        free(piv);                                                                           \
        BACK(info);                                                                          \
    }

#define GETRF(P, T)                                                                         \
    void scipy_##P##getrf_64_(const i64 *, const i64 *, T *, const i64 *, i64 *, i64 *);     \
    void P##getrf_(const int *m, const int *n, T *a, const int *lda, int *ipiv, int *info) { \
        W(m); W(n); W(lda); i64 info64 = 0;                                                  \
        int k = *m < *n ? *m : *n;                                                           \
        i64 *piv = wide_alloc(k);                                                            \
        if (!piv) { *info = -1000; return; }                                                 \
        scipy_##P##getrf_64_(&m64, &n64, a, &lda64, piv, &info64);                          \
        narrow(ipiv, piv, k);                                                                \
        free(piv);                                                                           \
        BACK(info);                                                                          \
    }

#define POSV(P, T)                                                                          \
    void scipy_##P##posv_64_(const char *, const i64 *, const i64 *, T *, const i64 *, T *,  \
                             const i64 *, i64 *, size_t);                                    \
    void P##posv_(const char *uplo, const int *n, const int *nrhs, T *a, const int *lda,     \
                  T *b, const int *ldb, int *info) {                                         \
        W(n); W(nrhs); W(lda); W(ldb); i64 info64 = 0;                                      \
        scipy_##P##posv_64_(uplo, &n64, &nrhs64, a, &lda64, b, &ldb64, &info64, 1);         \
        BACK(info);                                                                          \
    }

#define POTRF(P, T)                                                                         \
    void scipy_##P##potrf_64_(const char *, const i64 *, T *, const i64 *, i64 *, size_t);   \
    void P##potrf_(const char *uplo, const int *n, T *a, const int *lda, int *info) {        \
        W(n); W(lda); i64 info64 = 0;                                                        \
        scipy_##P##potrf_64_(uplo, &n64, a, &lda64, &info64, 1);                             \
        BACK(info);                                                                          \
    }

#define ALL(P, T) GEEV(P, T) GELS(P, T) GEQRF(P, T) GESDD(P, T) GESV(P, T) GETRF(P, T) \
                  POSV(P, T) POTRF(P, T)

ALL(s, float)
ALL(d, double)
