#ifndef ENERGY_AGENT_CSQLITE_SHIM_H
#define ENERGY_AGENT_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a destructor pointer, which Swift cannot import.
static inline sqlite3_destructor_type energy_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// SQLITE_STATIC, for buffers that outlive the statement step.
static inline sqlite3_destructor_type energy_sqlite_static(void) {
    return SQLITE_STATIC;
}

#endif
