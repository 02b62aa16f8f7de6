"""The example resource: a Django app with its model, migrations and strict input serializers."""
