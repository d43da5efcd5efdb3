package regions

import "testing"

func TestTheEmbeddedDataIsWholeAndEveryParentComesFirst(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 44622 {
		t.Fatalf("%d regions, want 44622", len(all))
	}
	seen := map[string]string{}
	for _, r := range all {
		if r.Parent != "" {
			if _, ok := seen[r.Parent]; !ok {
				t.Fatalf("%s %s comes before its parent %s", r.Code, r.Name, r.Parent)
			}
		}
		seen[r.Code] = r.Name
	}
	for code, name := range map[string]string{"51": "四川省", "5101": "成都市", "510104": "锦江区", "510108": "成华区", "510108002": "猛追湾街道"} {
		if seen[code] != name {
			t.Errorf("%s is %q, want %q", code, seen[code], name)
		}
	}
}
