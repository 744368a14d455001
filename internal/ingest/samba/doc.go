// Package samba normalizes Samba Active Directory's JSON audit lines
// (smb.conf "log level = auth_json_audit:3 dsdb_json_audit:5
// dsdb_password_json_audit:5 dsdb_group_json_audit:5") into Defender for
// Identity's tables. Format "samba-audit", constructor NewAudit, with
// WithDomainController naming the controller when the lines do not
// (Samba writes no host name; a shipper's hostname/host.name field wins).
//
// Every line is also kept whole in RawEvents, as the ingest contract
// asks: the identity tables have no column for the record itself.
//
// # Authentication (4624, 4625)
//
// IdentityLogonEvents: ActionType LogonSuccess when status is
// NT_STATUS_OK, else LogonFailed with FailureReason named from the status
// (WrongPassword, UnknownUser, AccountDisabled, AccountLocked, ...;
// unknown codes as written). Application "Active Directory". Protocol:
// Kerberos for the KDC, Ldap for simple binds, Ntlm for NTLMSSP and NTLM
// pass-through (SamLogon, NETLOGON), Netlogon for secure channels
// (ServerAuthenticate), Samr for SAMR password changes. LogonType in
// Defender for Identity's words: "LDAP cleartext" for a simple bind in the
// clear, "Resource access" for NTLM sessions on the controller's services
// and Kerberos service tickets, "Interactive" for interactive logons, and
// "Credentials validation" for the rest (Kerberos AS exchanges, NTLM
// pass-through, simple binds over TLS). Account columns come from the
// account Samba resolved (becameAccount/Domain/Sid), else the mapped or
// given name; AccountUpn is clientAccount when it has an "@". IPAddress
// and Port are the client's, DestinationIPAddress/Port the controller's;
// DeviceName is the client's workstation (not for simple binds, where
// Samba puts its own name there); DestinationDeviceName and
// TargetDeviceName are the controller.
//
// DeviceLogonEvents on the controller as well (DeviceId the SHA-1 of its
// lower-cased name; LogonType the Windows name of logonType: Network,
// NetworkCleartext, Interactive), except for Kerberos KDC lines, which
// Windows does not log as logons on the controller, and except when the
// controller's name is unknown: from the option, a shipper field, or the
// NetBIOS name Samba writes as the workstation of simple binds.
//
// # Authorization
//
// Sessions authenticated with a Kerberos ticket (authType krb5, GSSAPI)
// become IdentityLogonEvents "Resource access" logons: no Authentication
// line exists for them on the controller. NTLM, simple bind and other
// authorizations follow an Authentication line for the same logon and
// stay in RawEvents only, so that one logon is not counted twice.
//
// # Directory changes (dsdbChange, passwordChange, groupChange)
//
// IdentityDirectoryEvents, ActionType in Defender for Identity's words
// where it has one, with its AdditionalFields conventions (TO.GROUP,
// FROM.GROUP, TARGET_OBJECT.USER/DEVICE/GROUP, "FROM x"/"TO x"):
//
//	Add user / computer / group       User Account Created, Device Account Created,
//	                                  Security Group Created, Distribution Group Created
//	Add other objects                 Directory Object Created (ours)
//	Delete                            Account Deleted changed (Directory Object Deleted
//	                                  for DNS, configuration and schema objects)
//	Rename                            Directory Object Renamed (ours: Samba logs no new DN)
//	userAccountControl                Account Disabled changed, and for each of these
//	                                  flags when set: Account Password Never Expires
//	                                  changed, Account Password Not Required changed,
//	                                  Account Smartcard Required changed, Account
//	                                  Delegation changed, Account Constrained Delegation
//	                                  changed, Account Kerberos Preauthentication Not
//	                                  Required changed (ours)
//	sAMAccountName, userPrincipalName, msDS-SupportedEncryptionTypes, msDS-AllowedToDelegateTo,
//	displayName, mail, manager, telephoneNumber, title, accountExpires, lockoutTime, sIDHistory,
//	servicePrincipalName, msDS-AllowedToActOnBehalfOfOtherIdentity: see attributeRules
//	other attributes                  Directory Object Modified (ours), listing them
//	passwordChange (4723, 4724)       Account Password changed (PasswordAction Change
//	                                  or Reset in AdditionalFields)
//	groupChange Added/Removed         Group Membership changed, TO.GROUP / FROM.GROUP
//	groupChange PrimaryGroup          Group Membership changed, TO.GROUP, PrimaryGroup
//
// Samba logs only an attribute's new value, so every "FROM x" is "N/A";
// a flag of userAccountControl that is set is reported on every write of
// the attribute, since a change cannot be told from a rewrite. Password
// and membership attributes of a dsdbChange are left to the
// passwordChange and groupChange lines that describe the same change.
// A change Samba refused (statusCode not 0, groupChange Failure) becomes
// one "Directory Change Failed" row (ours) naming the intended actions.
// The acting account is AccountSid (Samba logs only its SID).
//
// dsdbTransaction and replicatedUpdate lines have no Defender home and
// are kept in RawEvents only, as are lines of types Samba may add.
package samba
