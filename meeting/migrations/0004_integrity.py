from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint


class Migration(migrations.Migration):
    dependencies = [("core", "0003_unit_code")]

    initial = False

    operations = [
        ops.CreateModel(
            name="SealedBallot",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "poll",
                    fields.ForeignKeyField(
                        "core.Poll",
                        source_field="poll_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sealed_ballots",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("box", fields.CharField(max_length=200)),
            ],
            options={
                "table": "sealed_ballot",
                "app": "core",
                "pk_attr": "id",
                "table_description": "A secret ballot while its poll is open: the choice sealed (AES-GCM) under a key derived",
            },
            bases=["Model"],
        ),
        ops.AlterModelOptions(
            name="LoginFailure",
            options={
                "table": "login_failure",
                "app": "core",
                "pk_attr": "id",
                "table_description": "Kept in the database so that the limit holds across processes and restarts. Counted per",
            },
        ),
        ops.AddField(
            model_name="LoginFailure",
            name="address",
            field=fields.CharField(default="", db_index=True, db_default="", max_length=64),
        ),
        ops.AddField(
            model_name="LoginFailure",
            name="device",
            field=fields.CharField(default="", db_default="", max_length=64),
        ),
        ops.AddField(
            model_name="PollVoter",
            name="seat",
            field=fields.ForeignKeyField(
                "core.User",
                source_field="seat_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="seat_votes",
                on_delete=OnDelete.CASCADE,
            ),
        ),
        ops.AddConstraint(
            model_name="PollVoter",
            constraint=UniqueConstraint(fields=("poll", "seat"), name=None),
        ),
    ]
