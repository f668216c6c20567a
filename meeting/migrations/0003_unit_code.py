from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0002_conclusion_published_text')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Unit',
            name='code',
            field=fields.CharField(max_length=20, null=True, unique=True),
        ),
    ]
