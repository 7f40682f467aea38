package caldb

// DueSQL is Due's query, for the test that explains its plan.
const DueSQL = dueSQL
