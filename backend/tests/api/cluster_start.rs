//! Nodes of a cluster started at the same moment on an empty database, sharing one keys
//! folder: all come up (migrations one after the other under an advisory lock on PostgreSQL,
//! the keys created once and read by the others) and the demo data is seeded once.

use silkbridge::config::Config;
use silkbridge::state::AppState;
use silkbridge_schema::testing::TestDatabase;

fn node(database: &str, keys: &std::path::Path, dir: &std::path::Path) -> Config {
    let mut config = Config::for_tests(dir, database);
    config.identity.signing_key_file = Some(keys.join("token.pem"));
    config.documents.key_file = Some(keys.join("documents.key"));
    config.biometrics.key_file = Some(keys.join("biometrics.key"));
    config.imei.contact_key_file = Some(keys.join("contacts.key"));
    config
}

#[actix_web::test]
async fn nodes_started_together_on_an_empty_database_all_come_up_and_seed_once() {
    let database = TestDatabase::new();
    let keys = tempfile::tempdir().unwrap();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let start = std::sync::Arc::new(std::sync::Barrier::new(dirs.len()));
    let nodes: Vec<_> = dirs
        .iter()
        .map(|dir| {
            let config = node(database.url(), keys.path(), dir.path());
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let state = AppState::open(config).map_err(|e| format!("{e:#}"))?;
                let seeded = silkbridge::seed::demo(&state.db).map_err(|e| e.to_string())?;
                Ok::<_, String>((state, seeded.organisations))
            })
        })
        .collect();
    let mut seeded = 0;
    let mut states = Vec::new();
    for node in nodes {
        let (state, organisations) = node
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("a node did not come up: {e}"));
        seeded += organisations;
        states.push(state);
    }
    let counted = {
        use diesel::prelude::*;
        use silkbridge_schema::tables::{organisations, users};
        let mut conn = states[0].db.connection().unwrap();
        let orgs: i64 = organisations::table.count().get_result(&mut conn).unwrap();
        let admins: i64 = users::table
            .filter(users::email.eq("admin@example.org"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        (orgs, admins)
    };
    assert_eq!(
        counted.0 as usize, seeded,
        "one node seeded, the others found the data"
    );
    assert!(seeded > 10);
    assert_eq!(counted.1, 1, "the demo administrator once");
    let kids: Vec<String> = states
        .iter()
        .map(|s| s.identity.keys.kid().to_owned())
        .collect();
    assert!(
        kids.windows(2).all(|w| w[0] == w[1]),
        "one key for all: {kids:?}"
    );
}
