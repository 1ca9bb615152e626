from portal.core.tasks import task

from . import services


@task(name=services.BUILD, bind=True)
def build_document(self, document_id: int) -> str:
    """Build a document someone asked for (the dashboard as a PDF) and tell them it is ready."""
    return services.build_document(
        document_id=document_id, last_attempt=self.request.retries >= self.max_retries
    )
