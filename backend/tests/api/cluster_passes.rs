//! A periodic pass due once runs once for the whole cluster: three nodes trying the embargo
//! release at the same moment, one runs it; trying again before its period is over, none does.

use futures_util::future::join_all;

use crate::support::TestApp;

#[actix_web::test]
async fn a_pass_due_once_runs_once_across_three_nodes() {
    let first = TestApp::start().await;
    let others = [first.cluster_node().await, first.cluster_node().await];
    let nodes = [&first, &others[0], &others[1]];
    for round in 0..2 {
        let tries = nodes
            .iter()
            .map(|node| silkbridge::research::embargo::release_if_due(&node.state));
        let ran = join_all(tries)
            .await
            .into_iter()
            .map(|outcome| outcome.unwrap())
            .filter(Option::is_some)
            .count();
        assert_eq!(ran, 1 - round, "round {round}: passes run");
    }
    let db = first.state.db.clone();
    let (epoch, holder) = tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use silkbridge_schema::tables::periodic_passes::dsl;
        let mut conn = db.connection().unwrap();
        dsl::periodic_passes
            .find(silkbridge::research::embargo::JOB)
            .select((dsl::epoch, dsl::holder))
            .first::<(i64, String)>(&mut conn)
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(epoch, 1);
    assert!(holder.contains(&std::process::id().to_string()), "{holder}");
}
