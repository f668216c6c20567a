from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0006_seats')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ClientKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('core.User', source_field='user_id', db_constraint=True, to_field='id', related_name='client_keys', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=64)),
                ('action', fields.CharField(max_length=60)),
                ('result', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'client_key', 'app': 'core', 'unique_together': (('user', 'key'),), 'pk_attr': 'id', 'table_description': 'An action a client sent with an idempotency key (`client_key`, issue 13): a device that'},
            bases=['Model'],
        ),
    ]
