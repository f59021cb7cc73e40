app_name = "documents"

# The register (/dokument/ …), the editor's pages (/redaktion/) and /tillganglighet/.
urlpatterns: list = []
