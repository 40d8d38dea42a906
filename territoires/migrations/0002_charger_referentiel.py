from django.db import migrations


def charger(apps, schema_editor):
    from territoires.loader import charger as charger_donnees

    charger_donnees(apps.get_model("territoires", "Departement"), apps.get_model("territoires", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("territoires", "0001_initial")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
