"""SQL storage: models, migrations, queries and botbuilder Storage on SQLAlchemy."""
