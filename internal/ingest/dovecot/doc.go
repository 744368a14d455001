// Package dovecot normalizes the JSON lines of Dovecot's event exporter
// (event_exporter { format = json }, lines of {"event", "hostname",
// "start_time", "end_time", "categories", "fields"}; RFC 3339 or Unix
// times) into Defender's tables. Format "dovecot", constructor NewEvents.
//
// The mapping, by event name:
//
//	auth_request_finished    IdentityLogonEvents: LogonSuccess when success is "yes", else
//	                         LogonFailed (FailureReason: the error, "PolicyRefused", or
//	                         InvalidUserNameOrPassword, since Dovecot does not tell a wrong
//	                         password from an unknown user). Application "Dovecot IMAP"
//	                         (POP3, SMTP for submission, ...), Protocol IMAP/POP3/SMTP,
//	                         LogonType "Credentials validation", IPAddress/Port the client,
//	                         Destination* the server; master_user logins keep the master in
//	                         AdditionalFields.MasterUser.
//	mail_delivery_finished   EmailEvents (an LMTP or LDA delivery is one message delivered
//	                         to one mailbox): SenderMailFromAddress (envelope),
//	                         SenderFromAddress and SenderDisplayName (From header),
//	                         RecipientEmailAddress (the mailbox user, else RCPT TO without
//	                         its +detail), InternetMessageId, Subject; DeliveryAction and
//	                         DeliveryLocation "Delivered"/"Inbox/folder", "Junked"/"Junk
//	                         folder" when the folder (mailbox, else the +detail) is Junk or
//	                         Spam, "Delivered"/"Deleted items folder" for Trash,
//	                         "Blocked"/"Failed" when the delivery failed; EmailDirection
//	                         Intra-org when sender and recipient share a domain, else
//	                         Inbound; NetworkMessageId a GUID derived from the Internet
//	                         message id (the same for every recipient, as Defender's).
//	imap_command_finished    CloudAppEvents, Application "Dovecot", ActionType named like
//	                         Exchange's mailbox audit actions where they mean the same:
//	                         MOVE -> Move (MoveToDeletedItems into Trash), COPY -> Copy,
//	                         EXPUNGE -> HardDelete, STORE +FLAGS \Deleted -> SoftDelete,
//	                         other STORE -> Update, FETCH -> MailItemsAccessed
//	                         (AdditionalFields.MailAccessType Bind when message content is
//	                         read, Sync for flags, sizes, envelopes and headers), APPEND ->
//	                         Create; CREATE, DELETE, RENAME of folders -> MailboxCreated,
//	                         MailboxDeleted, MailboxRenamed (ours: the Exchange audit has
//	                         no mailbox-folder actions). ObjectName is the folder,
//	                         ActivityObjects the source and destination folders and the
//	                         message set. Failed commands (NO, BAD) and navigation
//	                         (SELECT, LIST, SEARCH, NOOP, IDLE, ...) stay in RawEvents.
//	pop3_command_finished    RETR, TOP -> MailItemsAccessed (Bind); DELE -> SoftDelete.
//	mail_expunged            HardDelete.
//	mail_opened              MailItemsAccessed (Bind) when a client fetch opened the mail
//	                         (reason_code imap:fetch_*, pop3:*); Dovecot's own indexing
//	                         stays in RawEvents. Exporting both mail_opened and
//	                         imap_command_finished reports a fetch twice.
//
// Every other event (auth_client_*, login_aborted, client connections,
// SQL, HTTP, ...) is kept in RawEvents only. CloudAppEvents rows hold the
// record in RawEventData; the other tables have no column for it, so
// their records are also kept in RawEvents.
package dovecot
