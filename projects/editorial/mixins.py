"""What every editorial admin class shares: writes recorded once, rows that follow their parent."""

from contextlib import nullcontext

from projects import changes, workflow


class RecordedWritesMixin:
    """Each admin request that can write (a form, a deletion, a list action, a restore or
    a recovery: a POST) is one recorded change (projects.changes): whatever it saves, the
    changes feed and the content version move once, in its transaction. A page that
    only shows (a GET) opens no transaction for it."""

    def changeform_view(self, request, *args, **kwargs):
        with recorded(request):
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with recorded(request):
            return super().delete_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        with recorded(request):
            return super().changelist_view(request, *args, **kwargs)


def recorded(request):
    return changes.recording() if request.method == "POST" else nullcontext()


class ParentEditableMixin:
    """Rows that belong to a map or project change only when their parent may change.

    `parent_field` names the parent; inlines receive the parent itself. In a row's
    own admin, an editor can only pick a parent they may edit (a draft or one in
    review), so no row is added to a published page behind a Publisher's back.
    """

    is_inline = False
    parent_field = None

    def _parent_editable(self, request, obj):
        if obj is None:
            return True
        parent = obj if self.is_inline else getattr(obj, self.parent_field)
        return workflow.can_edit(request.user, parent)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)

    def has_add_permission(self, request, obj=None):
        if self.is_inline:
            allowed = super().has_add_permission(request, obj)
            return allowed and self._parent_editable(request, obj)
        return super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not self.is_inline:
            verb = "changed" if change else "added"
            self._revise_parent(request, obj, f"{obj._meta.verbose_name} “{obj}” {verb}")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._revise_parent(request, obj, f"{obj._meta.verbose_name} “{obj}” deleted")

    def _revise_parent(self, request, obj, comment):
        """A row saved on its own page is a new version of its map or project, as inline."""
        parent = getattr(obj, self.parent_field)
        workflow.revise(obj=parent, user=request.user, comment=comment.capitalize())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        parent_model = db_field.related_model
        if db_field.name == self.parent_field and not workflow.can_publish(
            request.user, parent_model
        ):
            kwargs["queryset"] = parent_model.objects.filter(
                status__in=workflow.EDITABLE_BY_EDITORS
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
