from tortoise import migrations
from tortoise.migrations import operations as ops
from meeting.models import Audience
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0004_integrity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Change',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('meeting', fields.ForeignKeyField('core.Meeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('bumped', fields.BooleanField()),
                ('event', fields.CharField(max_length=60)),
                ('payload', fields.TextField(unique=False)),
                ('audience', fields.CharEnumField(description='ALL: all\nSTAFF: staff\nUSER: user', enum_type=Audience, max_length=10)),
                ('user_id', fields.IntField(null=True)),
            ],
            options={'table': 'change', 'app': 'core', 'indexes': [Index(fields=['meeting_id', 'seq'])], 'pk_attr': 'id', 'table_description': "The meeting's change log (/api §3.4, resume): every push about its state, with"},
            bases=['Model'],
        ),
    ]
