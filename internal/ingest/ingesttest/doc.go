// Package ingesttest is the test harness the source packages of ingest
// (cloud, samba, dovecot, windows, syslog) share: golden cases with
// -update, runs over the shared datasets (gzip NDJSON), the value checks
// the pipeline makes (store.Normalize), fuzz seeds, and an in-memory
// appender for pipeline tests.
//
// It is imported from _test files only. Paths are relative to the
// directory of the package under test, as go test runs there: golden
// cases are testdata/<case>/, and Shared is where CI keeps the datasets,
// beside the repository.
package ingesttest
