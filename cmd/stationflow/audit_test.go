package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stationflow/stationflow/internal/auth"
	"github.com/stationflow/stationflow/internal/testdb"
)

// stationflow audit verify names the exact row where the chain breaks when
// a row is edited, deleted or two rows are reordered in the database, and
// exits with an error; on an intact log it counts the rows.
func TestAuditVerifyReportsWhereTheChainIsDamaged(t *testing.T) {
	cases := map[string]struct {
		sql  string
		want string
	}{
		"edited":    {`UPDATE audit_log SET actor = 'someone else' WHERE seq = 4`, "audit log damaged at row 4 of "},
		"deleted":   {`DELETE FROM audit_log WHERE seq = 4`, "audit log damaged at row 4 of "},
		"reordered": {`UPDATE audit_log SET seq = 1000 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 1000`, "audit log damaged at row 3 of "},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st, url := testdb.New(t)
			ctx := context.Background()
			for i := range 6 { // six audited writes
				if _, _, err := st.CreateToken(ctx, "test", auth.RoleOffice, "510108", fmt.Sprint(i)); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			if err := run(ctx, []string{"audit", "verify", "--database-url", url}, &out); err != nil ||
				!strings.HasPrefix(out.String(), "audit log verifies: ") {
				t.Fatalf("intact log: %v\n%s", err, out.String())
			}
			if _, err := st.DBForTests().Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; `+c.sql+
				`; ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			err := run(ctx, []string{"audit", "verify", "--database-url", url}, &out)
			if err == nil || !strings.HasPrefix(out.String(), c.want) {
				t.Fatalf("%s row: error %v, output %q; want %q", name, err, out.String(), c.want)
			}
		})
	}
}
