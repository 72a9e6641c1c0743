"""Status and exports in chat (framework 9.1, 9.3, 9.4, section 14): the figures the command line's
`... status` prints, typed in chat by the roles that need them, and `close month`, so the QA unit,
service leads and the principal social worker need no server command."""
