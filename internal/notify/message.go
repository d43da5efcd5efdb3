package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/stationflow/stationflow/internal/flow"
)

// Event is an outbox event as the Dispatcher renders it.
type Event struct {
	Event           string
	TaskID          string
	Kind            string
	DueAt           time.Time
	EscalationLevel int
}

// kindNames are the task kinds in both languages.
var kindNames = map[string][2]string{
	flow.KindApplicationReview:    {"申请审核", "application review"},
	flow.KindApplicationAmendment: {"申请补正", "application amendment"},
	flow.KindSupervision:          {"季度督导", "quarterly supervision"},
	flow.KindRectification:        {"整改", "rectification"},
	flow.KindRectificationCheck:   {"整改核验", "rectification verification"},
	flow.KindSelfAssessment:       {"自评", "self-assessment"},
	flow.KindAnnualEvaluation:     {"年度评估", "annual evaluation"},
	flow.KindArbitration:          {"仲裁", "arbitration"},
	flow.KindRenewalDecision:      {"续约决定", "renewal decision"},
	flow.KindAppealReview:         {"申诉复核", "appeal review"},
}

var shanghai = time.FixedZone("CST", 8*3600)

// Render words an event for people: which task, what happened and by
// when, Chinese first. It names no person.
func Render(e Event) Message {
	kind, ok := kindNames[e.Kind]
	if !ok {
		kind = [2]string{"", "task"}
	}
	due := ""
	if !e.DueAt.IsZero() {
		due = e.DueAt.In(shanghai).Format("2006-01-02 15:04")
	}
	var zh, en string
	switch e.Event {
	case "task.reminded":
		zh, en = "提醒："+kind[0]+"任务即将到期", "Reminder: "+kind[1]+" task due soon"
	case "task.escalated":
		zh = fmt.Sprintf("升级（第 %d 级）：%s任务已逾期", e.EscalationLevel, kind[0])
		en = fmt.Sprintf("Escalation (level %d): %s task overdue", e.EscalationLevel, kind[1])
	case "task.reassigned", "task.assigned":
		zh, en = "新任务："+kind[0], "New task: "+kind[1]
	case "rectification.opened":
		zh, en = "整改事项待处理", "A rectification item awaits action"
	case "task.decided":
		zh, en = kind[0]+"已作出决定", "Decision taken: "+kind[1]
	default:
		zh, en = kind[0]+"有新动态", "News: "+kind[1]+" task"
	}
	title := zh + " / " + en
	var b strings.Builder
	b.WriteString(title)
	if due != "" {
		fmt.Fprintf(&b, "\n截止时间 / due: %s（北京时间 / China Standard Time）", due)
	}
	if e.TaskID != "" {
		fmt.Fprintf(&b, "\n任务编号 / task: %s", e.TaskID)
	}
	return Message{Title: title, Body: b.String()}
}
