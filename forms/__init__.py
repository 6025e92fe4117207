"""WTForms for the guided page. Forms validate and convert input; they hold no business rules."""
