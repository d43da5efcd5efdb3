package db

// The text of queries whose rows the store streams one by one instead of
// collecting them all: the audit chain and a cycle's report can run to
// millions of rows.
const (
	AuditChainSQL  = auditChain
	CycleReportSQL = cycleReport
)
