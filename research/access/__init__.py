"""Who is acting, and what they may do (issue 10: sign-in, roles, private notes).

The rules themselves (`Actor`, `require`, `ACTIONS`, the private audit rule, role rules) live in
`research.permissions`, at the bottom of the layers, so the store checks "write" without
importing this package (docs/ARCHITECTURE.md); they are re-exported here, and code above the
store imports them from here. This package adds what builds on the store or a sign-in:
`research.access.roles` (the admin-managed `user_roles` table), `research.access.signin` (which
OIDC sign-ins may get a role) and `research.access.passwords` (argon2 password sign-in).
"""

from __future__ import annotations

from research.permissions import (
    ACTIONS,
    PRIVATE_ROWS,
    ROLES,
    SECRET_AUDIT_TABLES,
    Actor,
    PermissionDenied,
    Principal,
    Role,
    actor_name,
    allowed,
    audit_privacy_sql,
    audit_viewer_params,
    is_author,
    may_show,
    normalize_pattern,
    require,
    resolve_role,
    role_of,
    rules_from_mapping,
    sees_private,
    signed_in,
    visible_audit_log,
)

__all__ = [
    "ACTIONS",
    "PRIVATE_ROWS",
    "ROLES",
    "SECRET_AUDIT_TABLES",
    "Actor",
    "PermissionDenied",
    "Principal",
    "Role",
    "actor_name",
    "allowed",
    "audit_privacy_sql",
    "audit_viewer_params",
    "is_author",
    "may_show",
    "normalize_pattern",
    "require",
    "resolve_role",
    "role_of",
    "rules_from_mapping",
    "sees_private",
    "signed_in",
    "visible_audit_log",
]
