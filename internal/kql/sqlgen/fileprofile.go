package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// fileProfile compiles Defender's invoke FileProfile(x, y): each row is
// enriched with what Vigil's own telemetry knows of the file whose hash
// is in column x (SHA1 by default; a column named like *SHA256 or *MD5
// is looked up by that hash). Defender reads its cloud; Vigil computes
// the profile from the organisation's file, process and image-load events
// and the certificate table: GlobalPrevalence is the number of devices
// that saw the file, GlobalFirstSeen/LastSeen its first and last
// sighting. ThreatName, Publisher and SoftwareName stay empty, having no
// source here. Every row is enriched (Defender's y, a cloud quota, is
// accepted and needs no effect).
func (g *gen) fileProfile(x *ast.InvokeOp, call *ast.CallExpr, in *rel) *rel {
	keyCol := "SHA1"
	if len(call.Args) > 0 {
		// The column is named bare (SHA1) or as a string ('SHA1').
		switch v := valueOf(call.Args[0]).(type) {
		case *ast.Ident:
			keyCol = v.Name
		case *ast.StringLit:
			keyCol = v.Value
		default:
			keyCol = ""
		}
		if in.find(keyCol) < 0 {
			g.failf(call.Args[0].Pos(), "FileProfile expects the name of a hash column of the input")
		}
	} else if in.find("SHA1") < 0 {
		g.failf(call.Pos(), "FileProfile needs a SHA1 column, or the hash column as its argument")
	}
	hash := "SHA1"
	switch up := strings.ToUpper(keyCol); {
	case strings.Contains(up, "SHA256"):
		hash = "SHA256"
	case strings.Contains(up, "MD5"):
		hash = "MD5"
	}
	var parts []string
	for _, t := range []string{"DeviceFileEvents", "DeviceProcessEvents", "DeviceImageLoadEvents"} {
		if g.opts.Table != nil {
			if _, ok := g.opts.Table(t); !ok {
				continue
			}
		}
		r := g.scan(t, x)
		parts = append(parts, `SELECT "SHA1", "SHA256", "MD5", "FileSize", "FileName", "DeviceId", "Timestamp" FROM `+r.name+` WHERE "`+hash+`" <> ''`)
	}
	if len(parts) == 0 {
		g.failf(x.Pos(), "FileProfile needs the file event tables")
	}
	files := g.cte("file-profile", x.Pos(), strings.Join(parts, "\nUNION ALL\n"), nil)
	profile := g.cte("file-profile", x.Pos(), `SELECT "`+hash+`" AS "__key",
  coalesce(max("SHA1") FILTER (WHERE "SHA1" <> ''), '') AS "SHA1",
  coalesce(max("SHA256") FILTER (WHERE "SHA256" <> ''), '') AS "SHA256",
  coalesce(max("MD5") FILTER (WHERE "MD5" <> ''), '') AS "MD5",
  CAST(max("FileSize") AS INTEGER) AS "FileSize",
  CAST(count(DISTINCT "DeviceId") AS INTEGER) AS "GlobalPrevalence",
  min("Timestamp") AS "GlobalFirstSeen", max("Timestamp") AS "GlobalLastSeen",
  bool_or(regexp_matches(lower("FileName"), '\.(exe|dll|sys|scr|com|cpl|ocx|msi|drv|efi)$')) AS "IsExecutable"
FROM `+files+` GROUP BY 1`, nil)
	cert := g.scan("DeviceFileCertificateInfo", x)
	certs := g.cte("file-profile", x.Pos(), `SELECT "SHA1", arg_max(struct_pack(s := "Signer", i := "Issuer", h := "SignerHash", v := "IsTrusted", m := "IsRootSignerMicrosoft", signed := "IsSigned"), "Timestamp") AS c FROM `+cert.name+` WHERE "SHA1" <> '' GROUP BY 1`, nil)
	cols := g.tableCols(x)
	have := map[string]bool{}
	for _, c := range in.cols {
		have[c.Name] = true
	}
	profileSQL := map[string]string{
		"SHA1": `p."SHA1"`, "SHA256": `p."SHA256"`, "MD5": `p."MD5"`, "FileSize": `p."FileSize"`,
		"GlobalPrevalence": `p."GlobalPrevalence"`, "GlobalFirstSeen": `p."GlobalFirstSeen"`, "GlobalLastSeen": `p."GlobalLastSeen"`,
		"Signer": `coalesce(c.c.s, '')`, "Issuer": `coalesce(c.c.i, '')`, "SignerHash": `coalesce(c.c.h, '')`,
		"IsCertificateValid": `c.c.v`, "IsRootSignerMicrosoft": `c.c.m`,
		"SignatureState": `CASE WHEN c.c IS NULL THEN 'Unknown' WHEN NOT coalesce(c.c.signed, false) THEN 'Unsigned' WHEN coalesce(c.c.v, false) THEN 'SignedValid' ELSE 'SignedInvalid' END`,
		"IsExecutable":   `p."IsExecutable"`,
		"ThreatName":     `''`, "Publisher": `''`, "SoftwareName": `''`,
		"ProfileAvailability": `CASE WHEN p."__key" IS NULL THEN 'NotAvailable' ELSE 'Available' END`,
	}
	var sel []string
	for _, c := range cols {
		if have[c.Name] {
			sel = append(sel, "l."+quote(c.Name))
			continue
		}
		s, ok := profileSQL[c.Name]
		if !ok {
			g.failf(x.Pos(), "internal error: FileProfile column %s", c.Name)
		}
		sel = append(sel, nonNull(s, c.Type)+" AS "+quote(c.Name))
	}
	body := "SELECT " + strings.Join(sel, ", ") + " FROM " + in.name + " AS l LEFT JOIN " + profile + " AS p ON p.\"__key\" = l." + quote(keyCol) +
		" LEFT JOIN " + certs + " AS c ON c.\"SHA1\" = p.\"SHA1\""
	return g.step("invoke FileProfile", x.Pos(), body, cols)
}
