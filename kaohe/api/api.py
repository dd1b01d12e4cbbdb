from ninja import NinjaAPI

from kaohe.api.auth import TokenAuth

api = NinjaAPI(title="kaohe API", version="1", auth=TokenAuth(), urls_namespace="api-v1")
