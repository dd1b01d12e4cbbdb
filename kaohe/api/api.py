from ninja import NinjaAPI, Swagger

from kaohe.api.auth import TokenAuth
from kaohe.api.errors import install_error_handlers
from kaohe.api.orgs import orgs_router, people_router

api = NinjaAPI(
    title="kaohe API",
    version="1",
    description=(
        "每个请求带 API 令牌：`Authorization: Bearer <令牌>`，令牌以其所有者的角色行事。"
        "看不到的对象一律 404，看得到但不能改的 403。"
        '错误统一为 `{"error": {"code": …, "message": …, "fields": {字段: [说明]}}}`。'
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    # Swagger UI comes from ninja's own static files ("ninja" is an installed app), never a CDN.
    docs_url="/docs",
    docs=Swagger(settings={"validatorUrl": None}),  # the default validator badge calls an outside host
)
install_error_handlers(api)
api.add_router("/orgs", orgs_router)
api.add_router("/people", people_router)
api.add_router("/cycles", "kaohe.api.cycles.cycles_router")
api.add_router("/consultation", "kaohe.api.consultation.consultation_router")
