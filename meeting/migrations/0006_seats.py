from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("core", "0005_change_log")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Participant",
            name="seat",
            field=fields.ForeignKeyField(
                "core.User",
                source_field="seat_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="seated_here",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
    ]
