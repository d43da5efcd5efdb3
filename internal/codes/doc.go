// Package codes validates and relates China's official identifiers as
// stationflow uses them: the unified social credit codes that identify
// operating organisations (GB 32100-2015), the administrative division codes
// that place every station and office (GB/T 2260, extended to townships and
// villages), the four levels of social-work stations (社工站) and the offices
// that overdue work escalates to.
package codes
