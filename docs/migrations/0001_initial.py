from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Document',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('meeting', fields.ForeignKeyField('core.Meeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('agenda_item', fields.ForeignKeyField('core.AgendaItem', source_field='agenda_item_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=300)),
                ('filename', fields.CharField(max_length=255)),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('size', fields.BigIntField()),
                ('pages', fields.IntField()),
                ('text', fields.TextField(default='', unique=False)),
                ('kind', fields.CharField(default='upload', max_length=20)),
                ('signed', fields.BooleanField(default=False)),
                ('version', fields.IntField(default=1)),
                ('previous', fields.ForeignKeyField('docs.Document', source_field='previous_id', null=True, db_constraint=True, to_field='id', related_name='next_versions', on_delete=OnDelete.SET_NULL)),
                ('superseded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('uploaded_by', fields.ForeignKeyField('core.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='documents_uploaded', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('removed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('removed_by', fields.ForeignKeyField('core.User', source_field='removed_by_id', null=True, db_constraint=True, to_field='id', related_name='documents_removed', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'document', 'app': 'docs', 'pk_attr': 'id', 'table_description': 'One version of a meeting document. The file itself lives in the content-addressed store'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DocumentAccess',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('docs.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='accesses', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('core.User', source_field='user_id', db_constraint=True, to_field='id', related_name='document_accesses', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('range', fields.CharField(null=True, max_length=100)),
                ('opened', fields.BooleanField(default=True)),
                ('stamped', fields.BooleanField(default=True)),
            ],
            options={'table': 'document_access', 'app': 'docs', 'pk_attr': 'id', 'table_description': 'One download (or byte range of one) of a document by a viewer: the audit of who read it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Note',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('docs.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('core.User', source_field='user_id', db_constraint=True, to_field='id', related_name='document_notes', on_delete=OnDelete.CASCADE)),
                ('page', fields.IntField()),
                ('text', fields.TextField(unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'document_note', 'app': 'docs', 'unique_together': (('document', 'user', 'page'),), 'pk_attr': 'id', 'table_description': 'A private note on one page of a document, visible to its author only.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Presented',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('meeting', fields.OneToOneField('core.Meeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='presented', on_delete=OnDelete.CASCADE)),
                ('document', fields.ForeignKeyField('docs.Document', source_field='document_id', db_constraint=True, to_field='id', related_name='presentations', on_delete=OnDelete.CASCADE)),
                ('page', fields.IntField()),
                ('by', fields.ForeignKeyField('core.User', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name='presentations', on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'document_presented', 'app': 'docs', 'pk_attr': 'id', 'table_description': 'The page being shown to everyone in a meeting (one row per meeting, while presenting).'},
            bases=['Model'],
        ),
    ]
