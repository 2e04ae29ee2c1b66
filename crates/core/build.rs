//! Rebuilds the core when a migration is added: refinery embeds the
//! migration folders at compile time, and cargo tracks only the files a
//! build already read, not a new file beside them.

fn main() {
    println!("cargo:rerun-if-changed=src/store/sqlite/migrations");
    println!("cargo:rerun-if-changed=src/store/postgres/migrations");
}
