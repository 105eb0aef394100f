"""Discord glue: parse options, check, defer, call one service, render. No SQL, no business rules."""
