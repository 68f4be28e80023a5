//! The public contracts as snapshots (insta): the OpenAPI document the server
//! serves and the GraphQL SDL. A change to either shows as a diff of
//! `tests/snapshots/`; accept it with `INSTA_UPDATE=always cargo nextest run -p
//! sponsorhub-server --test contracts` (or `cargo insta review`) when it is meant.

use sponsorhub_testkit::{Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, 200);
    insta::assert_json_snapshot!("openapi", doc);
}

#[test]
fn graphql_sdl() {
    insta::assert_snapshot!("schema", sponsorhub_server::graphql::sdl());
}
