// Package registration turns the Mattermost provisioner's cluster events
// into reviewed inventory changes: the job a Lambda did by rewriting the
// central Prometheus' ConfigMap in the published design.
//
// It owns:
//   - decoding an event (event.go), in both forms the provisioner sends:
//     event subscriptions (retried until delivered, the one to use) and
//     webhooks (one attempt, accepted because it costs nothing);
//   - the ledger (ledger.go): every accepted event is appended to a journal
//     and synced before the provisioner is told so, and the per-cluster
//     decision it leads to (present or absent) is derived from the journal,
//     so repeats, reordering and a crash change nothing;
//   - publishing (publish.go): the undecided decisions applied with
//     inventory/edit to a fresh checkout of the fleet repository's main
//     branch, validated, rendered, committed and force-pushed to one branch
//     per environment, which a workflow turns into a pull request;
//   - verifying (verify.go) that a branch holds exactly what `fleetgen add`
//     and `fleetgen remove` of workload clusters would have made, which is
//     what lets that workflow merge it without a person;
//   - the HTTP service (service.go): authentication, bounded bodies,
//     batching, metrics, health and a clean shutdown.
//
// It leaves parsing and validating the inventory to inventory, the edits to
// inventory/edit and rendering to internal/action.
package registration
