//! After `sponsorhub migrate`, both databases' catalogs hold every table, index,
//! partial index and constraint the design names, and the constraints bite.

use sponsorhub_testkit::{Backend, fresh_database};
use sqlx::{Connection, Row};
use std::collections::BTreeSet;
use std::process::Command;

const TABLES: &[&str] = &[
    "organizations",
    "users",
    "organization_members",
    "events",
    "sponsor_tiers",
    "sponsors",
    "sponsor_users",
    "sponsor_invitations",
    "sponsor_leads",
    "sponsor_lead_interactions",
    "email_outbox",
    "lead_notifications",
];

const INDEXES: &[&str] = &[
    "organization_members_user_idx",
    "events_organization_idx",
    "sponsor_tiers_event_order_idx",
    "sponsors_event_idx",
    "sponsors_tier_idx",
    "sponsors_event_active_idx",
    "sponsor_users_user_idx",
    "sponsor_invitations_sponsor_idx",
    "sponsor_invitations_pending_email_key",
    "sponsor_leads_sponsor_score_idx",
    "sponsor_leads_sponsor_last_interaction_idx",
    "sponsor_leads_sponsor_created_idx",
    "sponsor_leads_sponsor_updated_idx",
    "sponsor_leads_event_id_idx",
    "sponsor_leads_user_idx",
    "sponsor_leads_hot_idx",
    "sponsor_lead_interactions_lead_idx",
    "sponsor_lead_interactions_sponsor_type_idx",
    "email_outbox_due_idx",
    "email_outbox_lease_idx",
    "email_outbox_sponsor_idx",
    "lead_notifications_sponsor_idx",
    "lead_notifications_lead_idx",
];

/// Partial indexes: hot leads, active sponsors, one pending invitation per e-mail,
/// the outbox worker's due and expired-lease e-mails.
const PARTIAL_INDEXES: &[&str] = &[
    "sponsors_event_active_idx",
    "sponsor_leads_hot_idx",
    "sponsor_invitations_pending_email_key",
    "email_outbox_due_idx",
    "email_outbox_lease_idx",
];

const CONSTRAINTS: &[&str] = &[
    "organization_members_role_check",
    "sponsor_users_role_check",
    "sponsor_invitations_role_check",
    "sponsor_invitations_status_check",
    "sponsor_leads_intent_score_check",
    "sponsor_leads_intent_level_check",
    "sponsor_leads_follow_up_status_check",
    "sponsor_lead_interactions_type_check",
    "sponsor_leads_sponsor_id_user_id_key",
    "sponsor_users_sponsor_id_user_id_key",
    "sponsor_invitations_token_hash_key",
    "users_email_key",
    "email_outbox_kind_check",
    "email_outbox_status_check",
    "email_outbox_attempts_check",
    "email_outbox_claim_check",
    "email_outbox_sent_check",
    "lead_notifications_reason_check",
];

/// Tables and how many foreign keys each must have.
const FOREIGN_KEYS: &[(&str, usize)] = &[
    ("organization_members", 2),
    ("events", 1),
    ("sponsor_tiers", 2),
    ("sponsors", 3),
    ("sponsor_users", 2),
    ("sponsor_invitations", 3),
    ("sponsor_leads", 4),
    ("sponsor_lead_interactions", 3),
    ("email_outbox", 1),
    ("lead_notifications", 2),
];

/// PostgreSQL's differences from [`FOREIGN_KEYS`]: a lead's sponsor and event are
/// one key, to the sponsor's (event, id); an interaction's and an e-mail notice's
/// sponsor is their lead's, with no key of its own (docs/DECISIONS.md, "Foreign
/// keys a capture checks").
const POSTGRES_FOREIGN_KEYS: &[(&str, usize)] =
    &[("sponsor_leads", 3), ("sponsor_lead_interactions", 2), ("lead_notifications", 1)];

fn migrate_with_the_binary(url: &str, data_dir: &std::path::Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_sponsorhub"))
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("SPONSORHUB_DATA_DIR", data_dir)
        .output()
        .expect("run sponsorhub migrate");
    assert!(out.status.success(), "migrate failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn missing(want: &[&str], have: &BTreeSet<String>) -> Vec<String> {
    want.iter().filter(|w| !have.contains(**w)).map(|w| w.to_string()).collect()
}

#[tokio::test]
async fn postgres_catalog_after_migrate() {
    let (url, dir) = fresh_database(Backend::Postgres).await;
    migrate_with_the_binary(&url, dir.path());
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    let schema: String = sqlx::query_scalar("SELECT current_schema()").fetch_one(&mut c).await.unwrap();

    let tables: BTreeSet<String> =
        sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1")
            .bind(&schema)
            .fetch_all(&mut c)
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(missing(TABLES, &tables), Vec::<String>::new());

    let rows = sqlx::query("SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = $1")
        .bind(&schema)
        .fetch_all(&mut c)
        .await
        .unwrap();
    let indexes: BTreeSet<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    assert_eq!(missing(INDEXES, &indexes), Vec::<String>::new());
    for p in PARTIAL_INDEXES {
        let def: String = rows.iter().find(|r| r.get::<String, _>(0) == *p).unwrap().get(1);
        assert!(def.contains(" WHERE "), "{p} is not partial: {def}");
    }

    let constraints: BTreeSet<String> = sqlx::query_scalar(
        "SELECT conname::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1",
    )
    .bind(&schema)
    .fetch_all(&mut c)
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert_eq!(missing(CONSTRAINTS, &constraints), Vec::<String>::new());

    for (table, want) in FOREIGN_KEYS {
        let want = POSTGRES_FOREIGN_KEYS.iter().find(|(t, _)| t == table).map_or(want, |(_, n)| n);
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = $1 AND t.relname = $2 AND c.contype = 'f'",
        )
        .bind(&schema)
        .bind(table)
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert_eq!(n as usize, *want, "foreign keys of {table}");
    }

    let lead_sponsor: String = sqlx::query_scalar(
        "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = $1 AND c.conname = 'sponsor_leads_sponsor_fkey'",
    )
    .bind(&schema)
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(
        lead_sponsor, "FOREIGN KEY (event_id, sponsor_id) REFERENCES sponsors(event_id, id) ON DELETE CASCADE",
        "a lead's sponsor is of the lead's event"
    );

    // no index repeats the start of another (every write would pay for both)
    let repeats: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
         FROM pg_index a JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
         JOIN pg_class t ON t.oid = a.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = $1 AND NOT a.indisunique AND a.indpred IS NULL AND b.indpred IS NULL
           AND a.indexprs IS NULL AND b.indexprs IS NULL AND a.indnkeyatts <= b.indnkeyatts
           AND (SELECT relam FROM pg_class WHERE oid = a.indexrelid) = (SELECT relam FROM pg_class WHERE oid = b.indexrelid)
           AND (a.indkey::int2[])[0:a.indnkeyatts - 1] = (b.indkey::int2[])[0:a.indnkeyatts - 1]
           AND (a.indoption::int2[])[0:a.indnkeyatts - 1] = (b.indoption::int2[])[0:a.indnkeyatts - 1]
           AND (a.indclass::oid[])[0:a.indnkeyatts - 1] = (b.indclass::oid[])[0:a.indnkeyatts - 1]
           AND (a.indcollation::oid[])[0:a.indnkeyatts - 1] = (b.indcollation::oid[])[0:a.indnkeyatts - 1]",
    )
    .bind(&schema)
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert_eq!(repeats, Vec::<(String, String)>::new(), "indexes that start another");

    // native types on PostgreSQL
    let types: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'sponsor_lead_interactions' AND column_name IN ('id', 'metadata', 'occurred_at')
         ORDER BY column_name",
    )
    .bind(&schema)
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert_eq!(
        types,
        [
            ("id".into(), "uuid".into()),
            ("metadata".into(), "jsonb".into()),
            ("occurred_at".into(), "timestamp with time zone".into())
        ]
    );

    // the CHECK constraints bite
    let id = uuid::Uuid::now_v7();
    let err = sqlx::query("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ($1, '', now(), now())")
        .bind(id)
        .execute(&mut c)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("organizations_name_check"), "{err}");
}

#[tokio::test]
async fn sqlite_catalog_after_migrate() {
    let (url, dir) = fresh_database(Backend::Sqlite).await;
    migrate_with_the_binary(&url, dir.path());
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();

    let rows = sqlx::query("SELECT type, name, COALESCE(sql, '') FROM sqlite_master").fetch_all(&mut c).await.unwrap();
    let of_type = |t: &str| -> BTreeSet<String> {
        rows.iter().filter(|r| r.get::<String, _>(0) == t).map(|r| r.get::<String, _>(1)).collect()
    };
    assert_eq!(missing(TABLES, &of_type("table")), Vec::<String>::new());
    assert_eq!(missing(INDEXES, &of_type("index")), Vec::<String>::new());
    for p in PARTIAL_INDEXES {
        let sql: String = rows.iter().find(|r| r.get::<String, _>(1) == *p).unwrap().get(2);
        assert!(sql.contains(" WHERE "), "{p} is not partial: {sql}");
    }
    // SQLite keeps named constraints in the table's CREATE statement.
    let all_sql: String = rows.iter().map(|r| r.get::<String, _>(2)).collect::<Vec<_>>().join("\n");
    let named: Vec<&&str> = CONSTRAINTS.iter().filter(|c| !all_sql.contains(&format!("CONSTRAINT {c} "))).collect();
    assert!(named.is_empty(), "constraints missing: {named:?}");

    for (table, want) in FOREIGN_KEYS {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(DISTINCT id) FROM pragma_foreign_key_list('{table}')"
        )))
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert_eq!(n as usize, *want, "foreign keys of {table}");
    }

    // no index repeats the start of another (every write would pay for both)
    // an expression column has no name: such an index is left out
    let keys: Vec<(String, String, bool, bool, Option<String>, bool)> = sqlx::query_as(
        "SELECT m.name, il.name, il.\"unique\", il.partial, ix.name, ix.\"desc\"
         FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_xinfo(il.name) ix
         WHERE m.type = 'table' AND ix.key ORDER BY m.name, il.name, ix.seqno",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    // (table, index) -> (unique, partial, key columns with their order)
    type Keys = (bool, bool, Vec<(Option<String>, bool)>);
    let mut indexes: std::collections::BTreeMap<(String, String), Keys> = Default::default();
    for (table, index, unique, partial, column, desc) in keys {
        indexes.entry((table, index)).or_insert((unique, partial, Vec::new())).2.push((column, desc));
    }
    indexes.retain(|_, (_, _, cols)| cols.iter().all(|(name, _)| name.is_some()));
    let mut repeats = Vec::new();
    for ((table, a), (a_unique, a_partial, a_cols)) in &indexes {
        for ((other, b), (_, b_partial, b_cols)) in &indexes {
            if table == other && a != b && !a_unique && !a_partial && !b_partial && b_cols.starts_with(a_cols) {
                repeats.push((a.clone(), b.clone()));
            }
        }
    }
    assert_eq!(repeats, Vec::<(String, String)>::new(), "indexes that start another");

    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut c).await.unwrap();
    assert_eq!(mode, "wal");

    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut c).await.unwrap();
    let err = sqlx::query("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (x'01', '', '', '')")
        .execute(&mut c)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("CHECK constraint failed"), "{err}");
    let err = sqlx::query("INSERT INTO organization_members (organization_id, user_id, role, created_at, updated_at) VALUES (x'01', x'02', 'OWNER', '', '')")
        .execute(&mut c)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}
