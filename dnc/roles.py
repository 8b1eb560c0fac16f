"""The two roles, Admins and Agents, and the access rule every view applies.

Roles are Django groups created by a migration. Superusers count as admins.
Anonymous users never reach a view: LoginRequiredMiddleware sends them to the
login page. A signed-in user without the role gets 403.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

ADMINS = "Admins"
AGENTS = "Agents"


def _group_names(user) -> set[str]:
    # Cached on the user object, so a page queries the groups once.
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return user._role_names


def is_admin(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or ADMINS in _group_names(user)


def is_agent(user) -> bool:
    """True for agents and admins: admins may use the agent console too."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_admin(user) or AGENTS in _group_names(user)


def _require(check):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


admin_required = _require(is_admin)
agent_required = _require(is_agent)


def role_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_is_admin": False, "user_is_agent": False}
    return {"user_is_admin": is_admin(user), "user_is_agent": is_agent(user)}
