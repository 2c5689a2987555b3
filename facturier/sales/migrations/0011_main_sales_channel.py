"""The marketplace's own storefront is the neutral channel "main" (it was called "cdiscount", and Mirakl orders,
sold on their operator's own sites, were stored under that name too)."""

from django.db import migrations

OLD, NEW = "cdiscount", "main"


def rename(old: str, new: str):
    def run(apps, schema_editor):
        apps.get_model("sales", "SalesOrder").objects.filter(sales_channel=old).update(sales_channel=new)

    return run


class Migration(migrations.Migration):
    dependencies = [("sales", "0010_search_text")]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD), elidable=True)]
