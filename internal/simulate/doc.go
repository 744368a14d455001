// Package simulate is the simulated organisation behind `vigil demo` and
// the benchmarks: devices, people, mailboxes and SaaS apps going about a
// working week, with attacks unfolding on a schedule, all written as rows
// of the hunting schema.
//
// # Model
//
// NewOrg builds the organisation from a Config: a domain controller
// (DC01), a Linux mail server (MAIL01), Windows and Linux servers (FS01,
// SQL01, WEB01, ...), Windows workstations each with a primary user,
// people with UPNs, SIDs (S-1-5-21-<domain>-<rid>), Entra object ids,
// groups (a few Domain Admins), departments and managers, service
// accounts (most with SPNs), and SaaS apps. Only reserved names and
// addresses appear: the domain is under .test, internet hosts under
// .example or .test, devices in 10.0.0.0/8, and the internet in the
// documentation ranges (192.0.2.0/24 and 198.51.100.0/24 for everyone,
// 203.0.113.0/24 for attackers). Since these stand for the public
// internet, their *IPType columns say Public.
//
// The Generator moves the organisation through simulated time. People log
// on in the morning of their site's time zone, lock their screen over
// lunch and leave in the evening; applications start from explorer and
// spawn children (browsers their renderers, Office its helpers); services
// run scheduled tasks; sensors and updaters phone home; Linux servers run
// cron jobs and serve their clients; the domain controller authenticates
// everyone; mail arrives with attachments and links; people work in
// Exchange, SharePoint, OneDrive, Teams and AWS; DeviceInfo,
// DeviceNetworkInfo and IdentityInfo are reported daily. Prevalence is
// skewed on purpose: binaries and destinations are drawn from Zipf-ranked
// lists, and one-off installers and hosts make a long tail of values seen
// once, so that hunting for the rare is meaningful.
//
// # Determinism
//
// Everything derives from Config.Seed through independent PCG streams
// (math/rand/v2); nothing reads the wall clock except Stream's pacing. The
// organisation is partitioned into a fixed number of shards, each a
// deterministic stream generated in parallel in chunks of rows. The
// chunks are merged by simulated time (next is the shard that is furthest
// behind, the lowest id on a tie), which keeps the shards abreast without
// making the workers wait for each other and depends only on the streams
// themselves, so the same configuration gives the same bytes whatever the
// number of CPUs or Workers.
//
// Invariants: every row has one value per column of its table, each of
// the canonical Go type of its column (see package store); ReportId is
// unique across all tables (a long, or its decimal text where the schema
// types ReportId as string); a device keeps its DeviceId (40 hex digits)
// and DeviceName; a device's rows come out in timestamp order; rows of a
// run lie inside the run's time range.
//
// # NDJSON
//
// WriteNDJSON (and `vigil simulate --out`) writes one JSON object per
// line: "$table" first, naming the row's table, then the row's non-null
// columns in schema order. Datetimes are RFC 3339 UTC with microseconds,
// int and long columns JSON numbers, string-typed ReportIds strings,
// dynamic columns inline JSON, and everything else JSON strings. The
// encoder avoids reflection and fmt: strings computed once (paths,
// hashes, command lines, a process's InitiatingProcess* columns) carry
// their encoding, numbers and times are appended digit by digit, and
// buffers are reused. A null or empty text value is left out rather than
// written: `vigil ingest FILE`, which detects these rows by "$table",
// stores an absent column exactly as a null or "" one
// (TestIngestReadsOutputBack), and the output is smaller.
//
// WriteNDJSONCompressed (`--out F.ndjson.zst` or `.gz`) compresses each
// chunk on the worker that generated it, as an independent zstd frame or
// gzip member; readers, `vigil ingest` among them, read the sequence as
// one stream.
//
// # Scenarios
//
// An attack is a YAML file (see scenarios/ for the shipped ones:
// ransomware, bec, credential-theft, decoy-touch), so a new one needs no
// code:
//
//	name: my-attack                 # lower case, digits, dashes
//	title: ...
//	description: ...
//	actors:                         # picked from the organisation, in order
//	  victim: {kind: user, role: [finance, employee], withDevice: true}
//	  host:   {kind: device, of: victim}          # the victim's workstation
//	  admin:  {kind: user, role: admin}
//	  fleet:  {kind: devices, role: server, os: windows, count: 3, exclude: [host]}
//	  svcs:   {kind: users, role: service, withSpn: true}    # count 0: all
//	vars:                           # evaluated once, in order
//	  c2: '203.0.113.{{.Rand.Int 20 240}}'
//	steps:
//	  - name: beacon                # unique within the scenario
//	    technique: T1071.001        # ATT&CK id
//	    tactic: CommandAndControl
//	    at: 10m                     # offset from the scenario's start
//	    jitter: 1m                  # +/- uniform
//	    device: host                # default device and user of the rows
//	    user: victim
//	    foreach: fleet              # repeat for each element (.Each)
//	    parallel: true              # elements at once, not one after another
//	    repeat: {count: 60, every: 60s, jitter: 10s}   # .I is the iteration
//	    rows:
//	      - table: DeviceNetworkEvents
//	        after: 200ms            # gap from the previous row (default 0.1-0.9s)
//	        device: each            # an actor, or the foreach element
//	        account: victim         # fills the table's Account* columns
//	        process: {id: ps, image: powershell.exe, parent: WINWORD.EXE,
//	                  user: victim, commandLine: '...', integrity: High}
//	        initiating: ps          # InitiatingProcess* from a scenario process,
//	                                # or an image name for one already running
//	        file: {path: 'C:\x\y.dll', previous: '...', size: '1234'}
//	        set:                    # any column; text is a Go template
//	          ActionType: ConnectionSuccess
//	          RemoteIP: '{{.Vars.c2}}'
//	          AdditionalFields: {Key: '{{.I}}'}    # mappings become JSON
//
// Templates see .Org, .A (actors by name), .Vars, .Device, .User, .Each,
// .I, .Time and .Rand (.Rand.Int, .Rand.Hex, .Rand.Pick, .Rand.GUID,
// .Rand.Doc, drawing from the scenario's own stream), the helpers .DocAt,
// .ExtAt and .ShareAt, and the functions lower, upper, add, mul, mod,
// pad, json, host and b64utf16 (PowerShell's -EncodedCommand). Values are
// converted to their column's type when the scenario is scheduled; a
// value that does not fit is an error naming the step, row and column.
// Rows get what their table always has unless the scenario says
// otherwise: ProcessCreated for created processes, the device's side of a
// connection, the domain controller as the destination of directory
// events.
//
// Schedule(scenario, at) plans a scenario instance; its rows are injected
// into the stream as the clock reaches them, each on its device's shard,
// so per-device order holds. Unless something was scheduled explicitly,
// the first generating call schedules every shipped scenario at staggered
// times inside its range (Config.NoScenarios turns this off).
//
// # Ground truth
//
// GroundTruth returns, and WriteGroundTruth writes as JSON lines, one
// Truth per scenario row that was handed out:
//
//	{"time":"2025-03-03T09:55:12.41Z","scenario":"bec","run":"bec-1",
//	 "step":"password-spray","technique":"T1110.003","tactic":"CredentialAccess",
//	 "table":"IdentityLogonEvents","reportId":4117,
//	 "accountName":"jsmith","accountUpn":"john.smith@contoso.test"}
//
// (deviceId and deviceName too for rows of a device). Table and reportId
// identify the row. The ground truth is never written to the event store,
// so detections cannot read it.
package simulate
