// sqlx::migrate! embeds the migrations at compile time; on stable Rust cargo
// does not know it read them, so a new migration file would not rebuild this
// crate (sqlx's own advice: `sqlx migrate build-script`).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
