// Package schemas embeds the documents stationflow is defined by: the SQL
// migrations of its PostgreSQL store, the OpenAPI description of its HTTP
// API, the working-day calendars and the rubric documents with the JSON
// Schemas that check them when they are loaded.
package schemas

import "embed"

// FS holds every embedded document, addressed by its path below schemas/:
// migrations/*.sql, openapi.yaml, calendar/*.json, rubrics/*.json.
//
//go:embed migrations/*.sql openapi.yaml calendar/*.json
//go:embed rubrics/*.json
var FS embed.FS
