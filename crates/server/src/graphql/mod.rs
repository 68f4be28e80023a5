//! The GraphQL adapter: POST /graphql (queries, mutations), GET /graphql (GraphiQL,
//! served from the binary), GET /graphql/ws (subscriptions over graphql-ws).
//! Every resolver calls a service function; none checks permissions or runs SQL.

mod graphiql;
mod inputs;
mod limits;
mod mutation;
mod query;
mod subscription;
mod types;

use crate::session;
use crate::state::AppState;
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ErrorExtensions, Schema};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::Router;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::get;
use sponsorhub_services::{Error, Principal, Services, accounts};

pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

pub type SponsorhubSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Heaviest query a client may send. Depth is limited by `limits::RootFieldLimit`,
/// introspection apart from other operations.
const MAX_COMPLEXITY: usize = 2_000;

/// The schema without its per-request data.
pub fn schema(services: Services) -> SponsorhubSchema {
    Schema::build(QueryRoot, MutationRoot, SubscriptionRoot)
        .data(services)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(limits::RootFieldLimit::default())
        .finish()
}

/// The SDL of the schema, as docs/schema.graphql holds it.
pub fn sdl() -> String {
    // The SDL does not depend on data; a schema without any prints the same.
    Schema::build(QueryRoot, MutationRoot, SubscriptionRoot).finish().sdl()
}

/// Who is asking: the Principal, or why there is none.
pub(crate) struct Caller(pub Result<Principal, String>);

/// Turns a bearer token (if any) into the caller.
async fn caller_from(services: &Services, token: Option<&str>) -> Caller {
    Caller(match token {
        None => Err("sign in: send an Authorization: Bearer token".into()),
        Some(t) => accounts::authenticate(services, t).await.map_err(|e| e.to_string()),
    })
}

use crate::credentials::{bearer, bearer_of};

/// The batch loader of lead histories, bound to one caller.
fn interaction_loader(services: &Services, p: &Principal) -> DataLoader<types::InteractionLoader> {
    DataLoader::new(types::InteractionLoader { services: services.clone(), principal: p.clone() }, tokio::spawn)
}

/// Per-connection data of a subscription socket: the caller and their loaders.
fn connection_data(services: &Services, caller: Caller) -> async_graphql::Data {
    let mut data = async_graphql::Data::default();
    if let Ok(p) = &caller.0 {
        data.insert(interaction_loader(services, p));
    }
    data.insert(caller);
    data
}

/// The bearer token, or else the session cookie of a browser on a page of this
/// service (the Origin check: every GraphQL request, query or mutation, is treated
/// as unsafe when the cookie authenticates it).
async fn caller_of(state: &AppState, headers: &HeaderMap) -> Caller {
    if let Some(token) = bearer(headers) {
        return caller_from(&state.services, Some(token)).await;
    }
    match session::session_token(headers) {
        Some(token) if session::same_origin(headers, &state.config.public_url) => {
            caller_from(&state.services, Some(token)).await
        }
        Some(_) => Caller(Err("a request authenticated by the session cookie must come from this site".into())),
        None => caller_from(&state.services, None).await,
    }
}

async fn graphql_post(State(state): State<AppState>, headers: HeaderMap, req: GraphQLRequest) -> GraphQLResponse {
    let services = &state.services;
    let caller = caller_of(&state, &headers).await;
    let mut request = req.into_inner();
    if let Ok(p) = &caller.0 {
        request = request.data(interaction_loader(services, p));
    }
    state.graphql.execute(request.data(caller)).await.into()
}

async fn graphql_ws(
    State(state): State<AppState>,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> impl IntoResponse {
    // A browser's socket may be authenticated by its session cookie, from this site only.
    let header_token = bearer(&headers).map(str::to_string).or_else(|| {
        session::session_token(&headers)
            .filter(|_| session::same_origin(&headers, &state.config.public_url))
            .map(str::to_string)
    });
    let schema = state.graphql.clone();
    let services = state.services.clone();
    // Each graphql-ws message at most 64 KiB: a subscription is a short document.
    let upgrade = upgrade.max_message_size(64 * 1024).max_frame_size(64 * 1024);
    upgrade.protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| {
        GraphQLWebSocket::new(socket, schema, protocol)
            .on_connection_init(move |payload| async move {
                // graphql-ws clients send the token in the connection_init payload.
                let from_payload = ["Authorization", "authorization"]
                    .iter()
                    .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))
                    .and_then(|h| bearer_of(h).map(str::to_string))
                    .or_else(|| payload.get("token").and_then(|v| v.as_str()).map(str::to_string));
                let token = from_payload.or(header_token);
                let caller = caller_from(&services, token.as_deref()).await;
                if let Err(why) = &caller.0 {
                    return Err(async_graphql::Error::new(why.clone()));
                }
                Ok(connection_data(&services, caller))
            })
            .serve()
    })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/graphql", get(graphiql::page).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
        .route("/graphql/assets/{file}", get(graphiql::asset))
}

/// The signed-in caller, or UNAUTHENTICATED.
pub(crate) fn principal<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Principal> {
    match &ctx.data_unchecked::<Caller>().0 {
        Ok(p) => Ok(p),
        Err(why) => Err(to_gql(Error::Unauthenticated(why.clone()))),
    }
}

/// The signed-in caller, if any (public fields that some events close to strangers).
pub(crate) fn viewer<'a>(ctx: &Context<'a>) -> Option<&'a Principal> {
    ctx.data_unchecked::<Caller>().0.as_ref().ok()
}

pub(crate) fn services<'a>(ctx: &Context<'a>) -> &'a Services {
    ctx.data_unchecked::<Services>()
}

/// A service error as a GraphQL error whose `extensions.code` matches the REST outcome.
pub(crate) fn to_gql(e: Error) -> async_graphql::Error {
    let (code, message) = match &e {
        Error::Unauthenticated(m) => ("UNAUTHENTICATED", m.clone()),
        Error::Forbidden(m) => ("FORBIDDEN", m.clone()),
        Error::NotFound(_) => ("NOT_FOUND", e.to_string()),
        Error::Conflict(m) => ("CONFLICT", m.clone()),
        Error::Gone(m) => ("GONE", m.clone()),
        Error::BadRequest(m) => ("BAD_USER_INPUT", m.clone()),
        Error::Invalid(_) => ("BAD_USER_INPUT", "one or more fields are invalid".into()),
        Error::RateLimited { .. } => ("RATE_LIMITED", "too many requests; retry later".into()),
        Error::Unavailable { .. } => ("UNAVAILABLE", e.to_string()),
        Error::Internal(err) => {
            tracing::error!(error = ?err, "internal error");
            ("INTERNAL_SERVER_ERROR", "the server failed to answer this request".into())
        }
    };
    async_graphql::Error::new(message).extend_with(|_, ext| {
        ext.set("code", code);
        match &e {
            Error::Invalid(fields) => {
                let list: Vec<async_graphql::Value> = fields
                    .iter()
                    .map(|f| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(async_graphql::Name::new("field"), async_graphql::Value::from(f.field.clone()));
                        m.insert(async_graphql::Name::new("message"), async_graphql::Value::from(f.message.clone()));
                        async_graphql::Value::Object(m)
                    })
                    .collect();
                ext.set("fields", async_graphql::Value::List(list));
            }
            Error::RateLimited { retry_after_secs } => ext.set("retryAfter", *retry_after_secs),
            _ => {}
        }
    })
}

/// `?` for service results inside resolvers.
pub(crate) trait Gql<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> Gql<T> for Result<T, Error> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(to_gql)
    }
}

/// An ID argument as a UUID, or BAD_USER_INPUT.
pub(crate) fn uuid(id: &async_graphql::ID) -> async_graphql::Result<uuid::Uuid> {
    id.parse::<uuid::Uuid>().map_err(|_| to_gql(Error::BadRequest(format!("`{}` is not a valid id", id.as_str()))))
}
