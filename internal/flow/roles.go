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
// TokenID names the credential, AccountID the person acting through it
// (empty for a service token, and in histories written before accounts
// existed); Via says how ("token", later "session"). They are opaque IDs,
// never looked up here: histories carry no names.
type Caller struct {
	Role      Role   `json:"role"`
	Scope     string `json:"scope"`
	TokenID   string `json:"token_id"`
	AccountID string `json:"account_id,omitempty"`
	Via       string `json:"via,omitempty"`
}

// Actor names the caller in the audit log by IDs only: the person and
// credential, or the service token. The audit log resolves the person's
// name when it writes the row.
func (c Caller) Actor() string {
	if c.AccountID == "" {
		return "token:" + c.TokenID
	}
	return "account:" + c.AccountID + ":" + c.Via + ":" + c.TokenID
}

// Claimant is who a claim belongs to: the person, whichever of their
// credentials they use next, or the service token.
func (c Caller) Claimant() string {
	if c.AccountID == "" {
		return c.TokenID
	}
	return c.AccountID
}
