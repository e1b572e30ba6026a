// The pinned Scalar API Reference bundle for /docs (README "API reference"). No imports, so the
// browser tests can read the same pin.
export const SCALAR_VERSION = "1.72.1";
export const SCALAR_URL = `https://cdn.jsdelivr.net/npm/@scalar/api-reference@${SCALAR_VERSION}/dist/browser/standalone.js`;
/** sha384 of dist/browser/standalone.js in the npm package @scalar/api-reference@1.72.1. */
export const SCALAR_INTEGRITY = "sha384-U11tb2XnKvmwt8RlTvnwUnYgrN+ur4Xyh9htLhjajWNR/Oyl5AX5DEz00qRmlrmK";
