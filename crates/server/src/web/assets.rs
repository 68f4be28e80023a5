//! The UI's one stylesheet and one script, compiled into the binary.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::response::IntoResponse;

const CSS: &str = include_str!("assets/app.css");
const JS: &str = include_str!("assets/app.js");

pub async fn css() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=300"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        CSS,
    )
}

pub async fn js() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=300"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        JS,
    )
}

/// The capture page's scanner: reads badge QR codes from the camera.
const SCAN_JS: &str = include_str!("assets/scan.js");
/// A maintained QR reader for browsers without `BarcodeDetector`
/// (`assets/vendor/README.md`).
const BARCODE_DETECTOR_JS: &str = include_str!("assets/vendor/barcode-detector-ponyfill.js");
const ZXING_READER_WASM: &[u8] = include_bytes!("assets/vendor/zxing_reader.wasm");

pub async fn scan_js() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=300"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        SCAN_JS,
    )
}

pub async fn barcode_detector_js() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=86400"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        BARCODE_DETECTOR_JS,
    )
}

pub async fn zxing_reader_wasm() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "application/wasm"),
            (CACHE_CONTROL, "public, max-age=86400"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        ZXING_READER_WASM,
    )
}

/// The capture page's offline queue (IndexedDB) and the portal's service worker,
/// which keeps the capture page for use without a network.
const OFFLINE_JS: &str = include_str!("assets/offline.js");
const SERVICE_WORKER_JS: &str = include_str!("assets/sw.js");

pub async fn offline_js() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=300"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        OFFLINE_JS,
    )
}

/// Served under `/portal/` so that its scope is the portal; never cached by HTTP,
/// so a new version reaches browsers at once.
pub async fn service_worker_js() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        SERVICE_WORKER_JS,
    )
}

/// The icon browsers show in tabs (also at `/favicon.ico`, where they look first).
const FAVICON_SVG: &str = include_str!("assets/favicon.svg");

pub async fn favicon() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "image/svg+xml"),
            (CACHE_CONTROL, "public, max-age=86400"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        FAVICON_SVG,
    )
}
