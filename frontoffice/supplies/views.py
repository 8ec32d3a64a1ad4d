from django.http import HttpResponse


def take(request):
    return HttpResponse()


stock_list = movement_list = request_list = request_create = request_detail = request_decide = take
