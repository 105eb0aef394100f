"""Pure rules of the product: no I/O, no discord, no database. Everything here is unit-testable in isolation."""
