package m365

import (
	"strconv"
	"strings"
)

// recordTypes names the AuditLogRecordType values (Office 365 Management
// Activity API schema); Sentinel's OfficeActivity.RecordType holds the name.
var recordTypes = map[int64]string{
	1: "ExchangeAdmin", 2: "ExchangeItem", 3: "ExchangeItemGroup", 4: "SharePoint",
	6: "SharePointFileOperation", 7: "OneDrive", 8: "AzureActiveDirectory",
	9: "AzureActiveDirectoryAccountLogon", 10: "DataCenterSecurityCmdlet",
	11: "ComplianceDLPSharePoint", 13: "ComplianceDLPExchange",
	14: "SharePointSharingOperation", 15: "AzureActiveDirectoryStsLogon",
	16: "SkypeForBusinessPSTNUsage", 17: "SkypeForBusinessUsersBlocked",
	18: "SecurityComplianceCenterEOPCmdlet", 19: "ExchangeAggregatedOperation",
	20: "PowerBIAudit", 21: "CRM", 22: "Yammer", 23: "SkypeForBusinessCmdlets",
	24: "Discovery", 25: "MicrosoftTeams", 28: "ThreatIntelligence",
	29: "MailSubmission", 30: "MicrosoftFlow", 31: "AeD", 32: "MicrosoftStream",
	33: "ComplianceDLPSharePointClassification", 34: "ThreatFinder", 35: "Project",
	36: "SharePointListOperation", 37: "SharePointCommentOperation",
	38: "DataGovernance", 39: "Kaizala", 40: "SecurityComplianceAlerts",
	41: "ThreatIntelligenceUrl", 42: "SecurityComplianceInsights", 43: "MIPLabel",
	44: "WorkplaceAnalytics", 45: "PowerAppsApp", 46: "PowerAppsPlan",
	47: "ThreatIntelligenceAtpContent", 48: "LabelContentExplorer",
	49: "TeamsHealthcare", 50: "ExchangeItemAggregated", 51: "HygieneEvent",
	52: "DataInsightsRestApiAudit", 53: "InformationBarrierPolicyApplication",
	54: "SharePointListItemOperation", 55: "SharePointContentTypeOperation",
	56: "SharePointFieldOperation", 57: "MicrosoftTeamsAdmin", 58: "HRSignal",
	59: "MicrosoftTeamsDevice", 60: "MicrosoftTeamsAnalytics",
	61: "InformationWorkerProtection", 62: "Campaign", 63: "DLPEndpoint",
	64: "AirInvestigation", 65: "Quarantine", 66: "MicrosoftForms",
	67: "ApplicationAudit", 68: "ComplianceSupervisionExchange",
	69: "CustomerKeyServiceEncryption", 70: "OfficeNative",
	71: "MipAutoLabelSharePointItem", 72: "MipAutoLabelSharePointPolicyLocation",
	73: "MicrosoftTeamsShifts", 75: "MipAutoLabelExchangeItem",
	76: "CortanaBriefing", 78: "WDATPAlerts", 82: "SensitivityLabelPolicyMatch",
	83: "SensitivityLabelAction", 84: "SensitivityLabeledFileAction",
	85: "AttackSim", 86: "AirManualInvestigation", 87: "SecurityComplianceRBAC",
	88: "UserTraining", 89: "AirAdminActionInvestigation", 90: "MSTIC",
	91: "PhysicalBadgingSignal", 93: "AipDiscover", 94: "AipSensitivityLabelAction",
	95: "AipProtectionAction", 96: "AipFileDeleted", 97: "AipHeartBeat",
	98: "MCASAlerts", 99: "OnPremisesFileShareScannerDlp",
	100: "OnPremisesSharePointScannerDlp", 101: "ExchangeSearch",
	102: "SharePointSearch", 103: "PrivacyInsights", 105: "MyAnalyticsSettings",
	106: "SecurityComplianceUserChange", 107: "ComplianceDLPExchangeClassification",
	109: "MipExactDataMatch",
}

// userTypes names the UserType values; index = value.
var userTypes = []string{"Regular", "Reserved", "Admin", "DcAdmin", "System", "Application", "ServicePrincipal", "CustomPolicy", "SystemPolicy"}

func number(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), x == float64(int64(x))
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// recordTypeName turns a numeric RecordType into its name; a name (the
// CSV's RecordType column) is kept.
func recordTypeName(v any) any {
	if n, ok := number(v); ok {
		if s, ok := recordTypes[n]; ok {
			return s
		}
		return strconv.FormatInt(n, 10)
	}
	return v
}

func userTypeName(v any) any {
	if n, ok := number(v); ok {
		if n >= 0 && n < int64(len(userTypes)) {
			return userTypes[n]
		}
		return strconv.FormatInt(n, 10)
	}
	return v
}

// userTypeNumber is the numeric UserType (names accepted), -1 if unknown.
func userTypeNumber(v any) int64 {
	if n, ok := number(v); ok {
		return n
	}
	if s, ok := v.(string); ok {
		for i, name := range userTypes {
			if strings.EqualFold(name, s) {
				return int64(i)
			}
		}
	}
	return -1
}
