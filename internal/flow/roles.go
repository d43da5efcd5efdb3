package flow

// Role is what a token may act as. The API authenticates it; workflows
// authorise updates by it.
type Role string

// Roles.
const (
	RoleAdmin      Role = "admin"      // operators of the installation: everything
	RoleOffice     Role = "office"     // a civil-affairs office: scope is a region code prefix
	RoleSupervisor Role = "supervisor" // scope is the supervisor's person ID
	RoleOrg        Role = "org"        // an operating organisation: scope is its ID
)

// Caller is the authenticated principal behind an update, as the API saw it.
// TokenID names the caller in audit entries and claims; it is never looked
// up, so it stays an opaque string.
type Caller struct {
	Role    Role   `json:"role"`
	Scope   string `json:"scope"`
	TokenID string `json:"token_id"`
}

// Actor names the caller in the audit log by token ID only.
func (c Caller) Actor() string { return "token:" + c.TokenID }
