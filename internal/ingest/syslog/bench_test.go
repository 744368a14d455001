package syslog

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
)

// benchLines is a mix of what a syslog collector receives: BSD and RFC
// 5424 messages from Linux, a Cisco ASA line, sshd logons and firewall
// CEF.
var benchLines = []string{
	`<38>Jun 15 11:00:00 bastion sshd[1221]: Accepted password for mike from 89.160.20.156 port 51432 ssh2`,
	`<38>Jun 15 11:00:02 bastion sshd[1223]: Failed password for invalid user admin from 198.51.100.77 port 40022 ssh2`,
	`<78>Jun 15 11:00:01 web01 CRON[999]: (root) CMD (run-parts /etc/cron.hourly)`,
	`<22>Jun 15 11:59:30 mail postfix/smtpd[2345]: connect from unknown[198.51.100.7]`,
	`<30>1 2024-06-15T11:00:00.000000+00:00 node1 systemd 1 - [timeQuality tzKnown="1" isSynced="1" syncAccuracy="91000"] Started Daily apt upgrade and clean activities.`,
	`<166>Oct 10 2018 12:34:56 fw01 : %ASA-6-305011: Built dynamic TCP translation from inside:10.0.0.5/51234 to outside:203.0.113.5/51234`,
	`<134>Jun 15 11:59:00 pa-fw01 CEF:0|Palo Alto Networks|PAN-OS|10.2.4|end|TRAFFIC|1|rt=Jun 15 2024 11:58:59 GMT deviceExternalId=007051000113358 src=10.0.0.5 dst=198.51.100.7 cs1Label=Rule cs1=allow-web suser=corp\\alice app=ssl spt=51234 dpt=443 proto=tcp act=allow in=1605 out=3925 cn2Label=Packets cn2=18`,
	`<189>Jun 15 11:59:01 fgt01 CEF:0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward close|3|deviceExternalId=FGT5HD3915800610 FTNTFGTlogid=0000000013 cat=traffic:forward src=10.1.100.11 spt=54190 dst=52.53.140.235 dpt=443 externalId=402 proto=6 act=close app=HTTPS out=1605 in=5523`,
}

func benchInputs() []*ingest.Input {
	var ins []*ingest.Input
	for i, l := range benchLines {
		ins = append(ins, &ingest.Input{Record: ingest.Record{Source: "syslog/udp 10.0.0.5:514", Line: int64(i + 1), Data: []byte(l)}})
	}
	return ins
}

// BenchmarkParseNormalize measures detection plus normalization, as the
// pipeline runs them (without the store), in messages per second.
func BenchmarkParseNormalize(b *testing.B) {
	opts := Options{Now: func() time.Time { return goldenNow }}
	reg := ingest.NewRegistry(NewCEF(opts), NewSyslog(opts), ingest.Raw{})
	ins := benchInputs()
	var rs ingest.RowSet
	var bytes int64
	for _, in := range ins {
		bytes += int64(len(in.Data))
	}
	b.SetBytes(bytes / int64(len(ins)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := ins[i%len(ins)]
		n, _ := reg.Detect(in)
		rs.Reset()
		if err := n.Normalize(in, &rs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkRawBaseline runs the same messages through the catch-all Raw
// normalizer: the floor any normalizer is compared with.
func BenchmarkRawBaseline(b *testing.B) {
	raw := ingest.Raw{Now: func() time.Time { return goldenNow }}
	ins := benchInputs()
	var rs ingest.RowSet
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs.Reset()
		if err := raw.Normalize(ins[i%len(ins)], &rs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkParse(b *testing.B) {
	for _, c := range []struct{ name, line string }{
		{"rfc3164", benchLines[0]},
		{"rfc5424", benchLines[4]},
		{"cef", benchLines[6][len("<134>Jun 15 11:59:00 pa-fw01 "):]},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.line)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var err error
				if c.name == "cef" {
					_, err = ParseCEF(c.line)
				} else {
					_, err = Parse(c.line, goldenNow, nil)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
