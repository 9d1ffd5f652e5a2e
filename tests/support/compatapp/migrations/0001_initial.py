from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=100)),
                ("slug", models.CharField(blank=True, default="", max_length=120)),
                ("body", models.TextField(blank=True, default="")),
                ("word_count", models.IntegerField(default=0)),
                ("author", models.CharField(blank=True, default="", max_length=100)),
                ("hidden", models.BooleanField(default=False)),
            ],
            options={"ordering": ["id"]},
        ),
    ]
