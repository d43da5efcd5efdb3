package codes

// Civil-affairs offices (民政部门) exist at province, city and county level
// only. Townships and villages have stations but no office: the county office
// owns the stations below it.

// OfficeRegion returns the region of the office that owns a station's
// region: the county for a county, township or village code, the city for a
// city code, the province for a province code. It is "" for a string that is
// not a region code.
func OfficeRegion(regionCode string) string {
	level, err := ParseRegion(regionCode)
	if err != nil {
		return ""
	}
	if level > County {
		level = County
	}
	return regionCode[:level.Digits()]
}

// EscalationPath returns the offices that overdue work in a region climbs
// to, nearest first. Work at a township or village climbs from its county
// office: 510108001 and 510108001002 both give [510108 5101 51]. Work at a
// county climbs to its city and province, [5101 51]; a city's to its
// province, [51]; a province's nowhere (an empty path). It is nil for a
// string that is not a region code.
func EscalationPath(regionCode string) []string {
	level, err := ParseRegion(regionCode)
	if err != nil {
		return nil
	}
	path := []string{}
	if level > County {
		path = append(path, regionCode[:County.Digits()])
		level = County
	}
	for l := level - 1; l >= Province; l-- {
		path = append(path, regionCode[:l.Digits()])
	}
	return path
}
